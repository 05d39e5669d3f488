// read_secret(): ownership and mode checks, credentials directory, redaction registration.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "agent/config/config_loader.hpp"
#include "agent/core/log.hpp"
#include "tests/agent_config/test_files.hpp"

namespace {

const std::string k_secret = "tok-3f9a1c7e-secret";

TEST(ReadSecret, ReadsOwnerOnlyFileAndStripsTrailingNewline) {
  TempDir dir;
  const auto file = dir.write("token", k_secret + "\n", 0600);
  const auto secret = agent::read_secret({file, false});
  ASSERT_TRUE(secret.has_value()) << secret.error();
  EXPECT_EQ(*secret, k_secret);
}

TEST(ReadSecret, AcceptsReadOnlyMode0400) {
  TempDir dir;
  const auto file = dir.write("token", k_secret, 0400);
  EXPECT_TRUE(agent::read_secret({file, false}).has_value());
}

TEST(ReadSecret, RegistersTheSecretForRedaction) {
  TempDir dir;
  const std::string unique = "redact-me-7d1e44b0";
  const auto file = dir.write("token", unique + "\n", 0600);
  ASSERT_TRUE(agent::read_secret({file, false}).has_value());
  EXPECT_EQ(agent::redact("token=" + unique), "token=***");
}

class ReadSecretBadMode : public ::testing::TestWithParam<mode_t> {};

TEST_P(ReadSecretBadMode, RejectsGroupOrOtherAccessAndSaysHowToFix) {
  TempDir dir;
  const auto file = dir.write("token", k_secret, GetParam());
  const auto secret = agent::read_secret({file, false});
  ASSERT_FALSE(secret.has_value());
  char mode[8];
  std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(GetParam()));
  EXPECT_EQ(secret.error(), "secret file " + file.string() + ": mode " + mode +
                                " gives group/other access; fix with: chmod 600 " + file.string() +
                                " && chown root:root " + file.string());
  EXPECT_EQ(secret.error().find(k_secret), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Modes, ReadSecretBadMode,
                         ::testing::Values(0644, 0640, 0604, 0660, 0606, 0610));

TEST(ReadSecret, RejectsFileOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown a file to uid 65534";
  TempDir dir;
  const auto file = dir.write("token", k_secret, 0600);
  ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
  const auto secret = agent::read_secret({file, false});
  ASSERT_FALSE(secret.has_value());
  EXPECT_EQ(secret.error(), "secret file " + file.string() +
                                ": owned by uid 65534, must be owned by root or the user running "
                                "pve-smokerbak; fix with: chown root:root " +
                                file.string());
}

TEST(ReadSecret, MissingFileSaysHowToCreateIt) {
  TempDir dir;
  const auto secret = agent::read_secret({dir.path() / "absent", false});
  ASSERT_FALSE(secret.has_value());
  EXPECT_EQ(secret.error(), "secret file " + (dir.path() / "absent").string() +
                                ": cannot open: No such file or directory (create it with mode "
                                "600, owned by root)");
}

TEST(ReadSecret, RejectsEmptyAndMultiLineFiles) {
  TempDir dir;
  const auto empty = dir.write("empty", "\n", 0600);
  EXPECT_EQ(agent::read_secret({empty, false}).error(),
            "secret file " + empty.string() + ": is empty");
  const auto two = dir.write("two", "line-one\nline-two\n", 0600);
  EXPECT_EQ(
      agent::read_secret({two, false}).error(),
      "secret file " + two.string() + ": holds more than one line; it must hold only the secret");
}

TEST(ReadSecret, RejectsADirectory) {
  TempDir dir;
  ::chmod(dir.path().c_str(), 0700);
  const auto secret = agent::read_secret({dir.path(), false});
  ASSERT_FALSE(secret.has_value());
  EXPECT_EQ(secret.error(), "secret file " + dir.path().string() + ": not a regular file");
}

TEST(ReadSecret, ReadsACredentialTheLoaderResolved) {
  TempDir dir;
  dir.write("pve-token", k_secret + "\n", 0400);
  const auto secret = agent::read_secret({dir.path() / "pve-token", true});
  ASSERT_TRUE(secret.has_value()) << secret.error();
  EXPECT_EQ(*secret, k_secret);
}

TEST(ReadSecret, NeverLooksAtCredentialsDirectoryItself) {
  // The loader resolved the name, or CREDENTIALS_DIRECTORY was not set then: a variable set
  // later does not change what the configuration names.
  TempDir dir;
  dir.write("pve-token", k_secret + "\n", 0400);
  ::setenv("CREDENTIALS_DIRECTORY", dir.path().c_str(), 1);
  const auto secret = agent::read_secret({"pve-token", true});
  ::unsetenv("CREDENTIALS_DIRECTORY");
  EXPECT_FALSE(secret.has_value());
}

TEST(ReadSecret, CredentialNameWithoutCredentialsDirectorySaysWhatToDo) {
  ::unsetenv("CREDENTIALS_DIRECTORY");
  const auto secret = agent::read_secret({"pve-token", true});
  ASSERT_FALSE(secret.has_value());
  EXPECT_EQ(secret.error(),
            "credential \"pve-token\": $CREDENTIALS_DIRECTORY is not set; run under systemd with "
            "LoadCredential=pve-token:FILE, or configure an absolute path");
}

}  // namespace
