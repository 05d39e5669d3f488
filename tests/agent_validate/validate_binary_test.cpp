// The real `pve-smokerbak validate` binary: config mode (reports, tier record, exit codes),
// path mode without a config, --json, the future check through PVE_SMOKERBAK_NOW.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "agent/tier/tier_record.hpp"
#include "tests/agent_validate/backup_fixture.hpp"

namespace {
using namespace validate_test;

struct Result {
  int exit_code = -1;
  std::string out;
};

// Runs the binary with `args` (already shell-quoted where needed), stderr to a file.
Result run(const std::string& env, const std::string& args) {
  const std::string cmd = env + " " + PVE_SMOKERBAK_BIN + " " + args + " 2>/dev/null";
  Result r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class ValidateBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    m_backups = m_dir.path() / "backups";
    m_state = m_dir.path() / "state";
    fs::create_directories(m_backups);
    std::ofstream(m_dir.path() / "pw") << "not-used\n";
    fs::permissions(m_dir.path() / "pw", fs::perms::owner_read | fs::perms::owner_write);
    m_config = m_dir.path() / "config.yaml";
    std::ofstream(m_config)
        << "timezone: UTC\n"
        << "state_dir: " << m_state.string() << "\n"
        << "targets:\n"
        << "  - name: prod-cloud\n"
        << "    vmid: 106\n"
        << "    mongo:\n"
        << "      ssh: { host: 127.0.0.1, identity_file: /k, known_hosts: /kh }\n"
        << "      database: smoker\n"
        << "      username: backup\n"
        << "      password_file: " << (m_dir.path() / "pw").string() << "\n"
        << "      backup_dir: " << m_backups.string() << "\n"
        << "      shrink_warn_percent: 50\n";
  }
  Result validate(const std::string& args = "", const std::string& env = "") {
    return run(env, "--config " + m_config.string() + " validate " + args);
  }
  std::optional<bool> recorded_verdict() const {
    return agent::load_tier_record(m_state, "prod-cloud", agent::TierName::mongo)
        .last_validation_ok;
  }
  TempDir m_dir;
  fs::path m_backups, m_state, m_config;
};

TEST_F(ValidateBinary, AllValidExitsZeroWritesReportAndRecordsVerdict) {
  make_backup(m_backups, "20261101-010000", 1000);
  make_backup(m_backups, "20261102-010000", 2000);
  const auto r = validate();
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("backup-20261102-010000"), std::string::npos) << r.out;
  std::ifstream in(m_backups / "validation-report.json");
  const auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["outcome"], "revalidated");
  EXPECT_EQ(j["backups"].size(), 2U);
  EXPECT_EQ(recorded_verdict(), std::optional<bool>(true));
}

TEST_F(ValidateBinary, CorruptBackupExitsOneAndRecordsFailure) {
  make_backup(m_backups, "20261101-010000", 1000);
  const auto bad = make_backup(m_backups, "20261102-010000", 2000);
  flip_byte(bad / "smoker.archive.gz");
  const auto r = validate("--json");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["invalid_count"], 1);
  EXPECT_EQ(j["backups"][1]["verdict"], "invalid");
  EXPECT_EQ(recorded_verdict(), std::optional<bool>(false));
}

TEST_F(ValidateBinary, ShrinkExitsThree) {
  make_backup(m_backups, "20261101-010000", 1000, small_dataset(3000));
  make_backup(m_backups, "20261102-010000", 2000, small_dataset(300));
  const auto r = validate();
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("warning: collection smoker.temps"), std::string::npos) << r.out;
  EXPECT_EQ(recorded_verdict(), std::optional<bool>(true));  // valid, with warnings
}

TEST_F(ValidateBinary, BackupAfterTheSimulatedNowIsAnError) {
  make_backup(m_backups, "20261101-010000", 1793000000);  // 2026-10-26
  EXPECT_EQ(validate("", "PVE_SMOKERBAK_NOW=1793000000").exit_code, 0);
  EXPECT_EQ(validate("", "PVE_SMOKERBAK_NOW=2026-10-01T00:00:00Z").exit_code, 1);
}

TEST_F(ValidateBinary, UnknownTargetIsUsageError) {
  EXPECT_EQ(validate("--target nope").exit_code, 2);
}

TEST_F(ValidateBinary, PathsNeedNoConfigAndGiveJson) {
  const auto dir = make_backup(m_backups, "20261101-010000", 1000);
  const auto r = run("", "--config " + (m_dir.path() / "missing.yaml").string() +
                             " validate --json " + dir.string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  ASSERT_EQ(j["backups"].size(), 1U);
  EXPECT_EQ(j["backups"][0]["form"], "archive");
  EXPECT_EQ(j["backups"][0]["valid"], true);
  EXPECT_FALSE(fs::exists(m_backups / "validation-report.json"));  // path mode changes nothing
}

TEST_F(ValidateBinary, MissingPathIsUsageError) {
  const auto r = run("", "--config /nonexistent validate " + (m_dir.path() / "nope").string());
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(ValidateBinary, RealDirectoryDumpByPath) {
  const fs::path real =
      fs::path(SMOKERBAK_REAL_DUMPS_DIR) / "josmanperez__hybrid-vector-search/dump";
  if (!fs::exists(real)) GTEST_SKIP() << real << " absent";
  const auto r = run("", "--config /nonexistent validate " + real.string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("valid"), std::string::npos);
}

}  // namespace
