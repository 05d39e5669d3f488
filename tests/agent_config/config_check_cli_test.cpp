// `pve-smokerbak config check` through the built binary: exit codes, the listing with
// origins, JSON, and secrets that never reach the output.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/agent_config/test_files.hpp"

namespace {

const std::string k_token = "tok-5b2e0c8a-never-print-me";
const std::string k_password = "pw-91d3f6aa-never-print-me";

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the binary with `env_and_args` ("VAR=value ... -- args"), capturing both streams.
Result run(const TempDir& dir, const std::string& env, const std::string& args) {
  const auto out = dir.path() / "stdout";
  const auto err = dir.path() / "stderr";
  const std::string command = "env -u CREDENTIALS_DIRECTORY -u PVE_SMOKERBAK_CONFIG " + env + " " +
                              PVE_SMOKERBAK_BINARY + " " + args + " >" + out.string() + " 2>" +
                              err.string();
  const int status = std::system(command.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

class ConfigCheckCli : public ::testing::Test {
 protected:
  void SetUp() override {
    m_token = m_dir.write("pve-token", k_token + "\n", 0600);
    m_password = m_dir.write("mongo.secret", k_password + "\n", 0600);
    m_config = m_dir.write("config.yaml", config_text(m_password.string()));
  }

  std::string config_text(const std::string& password_ref) const {
    return "proxmox:\n"
           "  token_id: \"smokerbak@pve!agent\"\n"
           "  token_secret_file: " +
           m_token.string() +
           "\n"
           "  timeout_s: 12\n"
           "targets:\n"
           "  - name: prod-cloud\n"
           "    vmid: 106\n"
           "    vzdump: {}\n"
           "    mongo:\n"
           "      ssh: {host: 127.0.0.1, identity_file: /k, known_hosts: /kh}\n"
           "      database: smartsmoker\n"
           "      username: smartsmoker\n"
           "      password_file: " +
           password_ref + "\n";
  }

  void expect_no_secret(const Result& r) const {
    for (const auto* text : {&r.out, &r.err}) {
      EXPECT_EQ(text->find(k_token), std::string::npos) << *text;
      EXPECT_EQ(text->find(k_password), std::string::npos) << *text;
    }
  }

  TempDir m_dir;
  std::filesystem::path m_token;
  std::filesystem::path m_password;
  std::filesystem::path m_config;
};

TEST_F(ConfigCheckCli, ValidConfigExitsZeroAndListsValuesWithOrigins) {
  const auto r = run(m_dir, "", "--config " + m_config.string() + " config check");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("# command line"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("proxmox.timeout_s"), std::string::npos);
  EXPECT_NE(r.out.find("= 12 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(secret from " + m_token.string() + ")"), std::string::npos) << r.out;
  // A default and a file value, each with its origin at the end of its line.
  EXPECT_NE(r.out.find("# default\n"), std::string::npos);
  EXPECT_NE(r.out.find("# file\n"), std::string::npos);
  EXPECT_NE(r.out.find("retention"), std::string::npos);
  EXPECT_NE(r.out.find("keep-daily=7,keep-weekly=4,keep-monthly=12"), std::string::npos);
  expect_no_secret(r);
}

TEST_F(ConfigCheckCli, ConfigPathFromEnvironmentHasOriginEnvironment) {
  const auto r = run(m_dir, "PVE_SMOKERBAK_CONFIG=" + m_config.string(), "config check");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto line_end = r.out.find('\n');
  const std::string first = r.out.substr(0, line_end);
  EXPECT_EQ(first.rfind("config_file", 0), 0u) << first;
  EXPECT_NE(first.find(m_config.string()), std::string::npos) << first;
  EXPECT_NE(first.find("# environment"), std::string::npos) << first;
}

TEST_F(ConfigCheckCli, JsonOutputCarriesValuesOriginsAndNoSecrets) {
  const auto r = run(m_dir, "", "--config " + m_config.string() + " config check --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_TRUE(doc.at("valid").get<bool>());
  EXPECT_EQ(doc.at("values").at("proxmox.timeout_s").at("value"), 12);
  EXPECT_EQ(doc.at("values").at("proxmox.timeout_s").at("origin"), "file");
  EXPECT_EQ(doc.at("values").at("proxmox.api_url").at("origin"), "default");
  EXPECT_EQ(doc.at("values").at("targets[0].mongo.password_file").at("value").at("secret_file"),
            m_password.string());
  EXPECT_TRUE(doc.at("values").at("proxmox.fingerprint").at("value").is_null());
  EXPECT_EQ(doc.at("config_file").at("origin"), "command line");
  expect_no_secret(r);
}

TEST_F(ConfigCheckCli, InvalidConfigExitsTwoWithEveryDiagnosticOnStderr) {
  m_dir.write("bad.yaml",
              "proxmox:\n  token_id: \"a@pve!b\"\n  token_secret_file: /s\n  timeout_s: 0\n"
              "targets:\n  - name: a\n    vmid: abc\n    vzdump: {mode: fast}\n");
  const auto bad = m_dir.path() / "bad.yaml";
  const auto r = run(m_dir, "", "--config " + bad.string() + " config check");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "error: " + bad.string() +
                       ":4:14: proxmox.timeout_s: expected an integer 1..3600, got \"0\"\n"
                       "error: " +
                       bad.string() +
                       ":7:11: targets[0].vmid: expected an integer 100..999999999, got \"abc\"\n"
                       "error: " +
                       bad.string() +
                       ":8:20: targets[0].vzdump.mode: expected snapshot, suspend or stop, got "
                       "\"fast\"\n" +
                       bad.string() + ": 3 problems; see docs/configuration.md\n");
}

TEST_F(ConfigCheckCli, SecretFileWithLooseModeFailsTheCheckWithoutPrintingIt) {
  ::chmod(m_password.c_str(), 0644);
  const auto r = run(m_dir, "", "--config " + m_config.string() + " config check");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(m_config.string() + ":13:7: targets[0].mongo.password_file: secret file " +
                       m_password.string() +
                       ": mode 644 gives group/other access; fix with: "
                       "chmod 600"),
            std::string::npos)
      << r.err;
  expect_no_secret(r);
}

TEST_F(ConfigCheckCli, CredentialNamesAreCheckedUnderCredentialsDirectory) {
  TempDir creds;
  creds.write("mongo-password", k_password + "\n", 0400);
  m_dir.write("config.yaml", config_text("mongo-password"));
  const auto ok = run(m_dir, "CREDENTIALS_DIRECTORY=" + creds.path().string(),
                      "--config " + m_config.string() + " config check");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("(secret from " + (creds.path() / "mongo-password").string() + ")"),
            std::string::npos)
      << ok.out;
  expect_no_secret(ok);

  // Outside the service the credential cannot be looked at: a warning, not a failure.
  const auto outside = run(m_dir, "", "--config " + m_config.string() + " config check");
  EXPECT_EQ(outside.exit_code, 0) << outside.err;
  EXPECT_NE(outside.err.find("warning: " + m_config.string() +
                             ":13:7: targets[0].mongo.password_file: credential "
                             "\"mongo-password\" is looked up under $CREDENTIALS_DIRECTORY"),
            std::string::npos)
      << outside.err;
}

TEST_F(ConfigCheckCli, MissingConfigFileExitsTwo) {
  const auto r =
      run(m_dir, "", "--config " + (m_dir.path() / "nope.yaml").string() + " config check");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read the configuration file"), std::string::npos) << r.err;
}

TEST_F(ConfigCheckCli, ShippedExamplePassesExceptForCredentialWarnings) {
  const auto r = run(
      m_dir, "",
      "--config " + std::string(SMOKERBAK_SOURCE_DIR) + "/deploy/config.example.yaml config check");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Issue 11: a config others can change is refused (exit 2) by every command, with the fix.
TEST_F(ConfigCheckCli, WorldWritableConfigIsRefusedWithExitTwoAndTheFix) {
  ::chmod(m_config.c_str(), 0666);
  for (const std::string command : {"config check", "status", "run --dry-run"}) {
    const auto r = run(m_dir, "", "--config " + m_config.string() + " " + command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.err;
    EXPECT_NE(r.err.find("lets group or others change it"), std::string::npos)
        << command << ": " << r.err;
    EXPECT_NE(r.err.find("chmod go-w " + m_config.string()), std::string::npos) << r.err;
  }
}

TEST_F(ConfigCheckCli, ExistingBackupDirOthersCanReadIsAWarning) {
  const auto backups = m_dir.path() / "backups";
  std::filesystem::create_directory(backups);
  ::chmod(backups.c_str(), 0755);
  std::string text = config_text(m_password.string()) + "      backup_dir: " + backups.string() +
                     "\nstate_dir: " + m_dir.path().string() + "/state\n";
  m_dir.write("config.yaml", text);
  const auto r = run(m_dir, "", "--config " + m_config.string() + " config check");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: " + m_config.string() +
                       ":14:7: targets[0].mongo.backup_dir: targets[0].mongo.backup_dir " +
                       backups.string() + " has mode 0755"),
            std::string::npos)
      << r.err;
}

// The process drops its core limit before anything else: seen from outside while the binary
// waits to open its config (a FIFO nobody writes yet).
TEST_F(ConfigCheckCli, TheBinaryRunsWithoutCoreDumps) {
  const auto fifo = m_dir.path() / "config.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(PVE_SMOKERBAK_BINARY, PVE_SMOKERBAK_BINARY, "--config", fifo.c_str(), "config", "check",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Soft and hard limit 0 (the hard limit is what an unhardened process would still allow).
  const std::string none = "Max core file size        0                    0";
  std::string limits;
  for (int i = 0; i < 300; ++i) {
    limits = read_text("/proc/" + std::to_string(pid) + "/limits");
    if (limits.find(none) != std::string::npos) break;
    ::usleep(10000);
  }
  std::ofstream(fifo) << "not: [valid\n";  // let it go on (and fail on the bad YAML)
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_NE(limits.find(none), std::string::npos) << limits;
}

}  // namespace
