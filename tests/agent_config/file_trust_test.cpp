// Local files someone else can change are refused, like sshd's StrictModes: the config (which
// says where the API token goes), secret files, and every directory above them.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "agent/config/config_loader.hpp"
#include "agent/config/file_trust.hpp"
#include "tests/agent_config/test_files.hpp"

namespace {

const std::string k_config =
    "proxmox:\n"
    "  token_id: \"smokerbak@pve!agent\"\n"
    "  token_secret_file: /etc/pve-smokerbak/pve-token\n"
    "targets:\n"
    "  - name: prod-cloud\n"
    "    vmid: 106\n"
    "    vzdump: {}\n";

TEST(FileTrust, APrivateFileInPrivateDirectoriesIsTrusted) {
  TempDir dir;
  const auto file = dir.write("config.yaml", k_config, 0644);
  EXPECT_EQ(agent::untrusted_file_problem(file, "configuration file"), std::nullopt);
}

TEST(FileTrust, AGroupOrWorldWritableFileIsRefusedWithTheFix) {
  TempDir dir;
  for (const mode_t mode : {0664, 0646, 0666}) {
    const auto file = dir.write("config.yaml", k_config, mode);
    const auto problem = agent::untrusted_file_problem(file, "configuration file");
    ASSERT_TRUE(problem) << std::oct << mode;
    EXPECT_NE(problem->find("lets group or others change it"), std::string::npos) << *problem;
    EXPECT_NE(problem->find("fix with: chmod go-w " + file.string()), std::string::npos)
        << *problem;
  }
}

TEST(FileTrust, AWritableDirectoryAnywhereAboveIsRefused) {
  TempDir dir;
  const auto file = dir.write("etc/deep/config.yaml", k_config, 0600);
  ::chmod((dir.path() / "etc").c_str(), 0777);  // no sticky bit: anyone may rename deep/
  const auto problem = agent::untrusted_file_problem(file, "configuration file");
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("directory " + (dir.path() / "etc").string()), std::string::npos)
      << *problem;
  EXPECT_NE(problem->find("chmod go-w"), std::string::npos) << *problem;
}

TEST(FileTrust, ARootOwnedStickyDirectoryLikeTmpIsAccepted) {
  TempDir dir;
  const auto file = dir.write("t/config.yaml", k_config, 0600);
  ::chmod((dir.path() / "t").c_str(), 01777);
  const bool root = ::geteuid() == 0;
  const auto problem = agent::untrusted_file_problem(file, "configuration file");
  if (root) {
    EXPECT_EQ(problem, std::nullopt) << *problem;
  } else {
    EXPECT_TRUE(problem);  // sticky but not root's: its owner could still swap entries
  }
}

TEST(FileTrust, ASymlinkIsJudgedByWhereItLeads) {
  TempDir dir;
  const auto real = dir.write("open/config.yaml", k_config, 0600);
  ::chmod((dir.path() / "open").c_str(), 0777);
  std::filesystem::create_symlink(real, dir.path() / "config.yaml");
  EXPECT_TRUE(agent::untrusted_file_problem(dir.path() / "config.yaml", "configuration file"));
}

TEST(FileTrust, TheLoaderRefusesAWritableConfigBeforeReadingIt) {
  TempDir dir;
  const auto file = dir.write("config.yaml", k_config, 0666);
  const auto loaded = agent::load_config_file(file);
  ASSERT_FALSE(loaded);
  ASSERT_EQ(loaded.error().size(), 1u);
  EXPECT_NE(loaded.error()[0].message.find("configuration file " + file.string()),
            std::string::npos)
      << loaded.error()[0].message;
}

TEST(FileTrust, ASecretInAWritableDirectoryIsRefused) {
  TempDir dir;
  const auto secret = dir.write("secrets/pve-token", "s3cr3t-value\n", 0600);
  ::chmod((dir.path() / "secrets").c_str(), 0770);
  agent::SecretRef ref;
  ref.path = secret;
  const auto read = agent::read_secret(ref);
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().find("secret file " + secret.string()), std::string::npos) << read.error();
  EXPECT_NE(read.error().find("is writable by group or others"), std::string::npos) << read.error();
  EXPECT_EQ(read.error().find("s3cr3t"), std::string::npos);
}

TEST(OpenDirectory, AnExistingDirectoryOthersCanReadIsNamedWithTheFix) {
  TempDir dir;
  const auto d = dir.path() / "backups";
  std::filesystem::create_directory(d);
  ::chmod(d.c_str(), 0755);
  const auto problem = agent::open_directory_problem(d, "targets[0].mongo.backup_dir");
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("has mode 0755"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("chmod 700 " + d.string()), std::string::npos) << *problem;
  ::chmod(d.c_str(), 0700);
  EXPECT_EQ(agent::open_directory_problem(d, "x"), std::nullopt);
  EXPECT_EQ(agent::open_directory_problem(dir.path() / "absent", "x"), std::nullopt);
}

}  // namespace
