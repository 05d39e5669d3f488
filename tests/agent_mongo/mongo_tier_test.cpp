// The mongo tier end to end in-process: a real sshd on 127.0.0.1 (tests/sshd_fixture), the
// stand-in mongodump/mongorestore on the session PATH (tests/fake_mongo), real files on disk.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/core/human_format.hpp"
#include "agent/core/log.hpp"
#include "agent/mongo/archive_check.hpp"
#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/mongo_prune.hpp"
#include "agent/mongo/mongo_tier.hpp"
#include "agent/tier/tier.hpp"
#include "tests/agent_mongo/run_context_util.hpp"
#include "tests/agent_mongo/stand_in_target.hpp"
#include "tests/fake_mongo/fake_mongo_paths.hpp"
#include "tests/sshd_fixture/sshd_fixture.hpp"
#include "tests/support/outcome_text.hpp"

namespace {
namespace fs = std::filesystem;
using testing_support::why;
using namespace std::chrono_literals;

constexpr const char* k_password = "pw-Zq81-never-in-logs";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class MongoTier : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!m_sshd.unavailable().empty()) GTEST_SKIP() << m_sshd.unavailable();
    auto stand_in = testing_support::stand_in_mongo_target(m_sshd, k_password);
    m_fake = stand_in.fake_dir;
    set_fake("");
    m_config.timezone = "UTC";
    m_config.targets.push_back(stand_in.target);
    m_tier = std::make_unique<agent::mongo::MongoTier>(
        m_config, [](const remote::SshOptions& opts) { return remote::connect_ssh(opts); });
  }

  // Rewrites the stand-in's settings: the expected password plus `extra` key=value lines.
  void set_fake(const std::string& extra) {
    std::ofstream(m_fake / "config") << "password=" << k_password << "\n" << extra;
  }

  agent::TierOutcome backup_at(const std::string& utc_hms, int day = 26) {
    std::tm tm{};
    tm.tm_year = 2026 - 1900;
    tm.tm_mon = 10;
    tm.tm_mday = day;
    std::sscanf(utc_hms.c_str(), "%d:%d:%d", &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    const auto start = std::chrono::system_clock::from_time_t(timegm(&tm));
    const auto ctx = testing_support::run_context(m_config, "run-" + utc_hms, start);
    return m_tier->begin(target(), ctx)->backup();
  }

  const agent::TargetConfig& target() const { return m_config.targets.front(); }
  const fs::path& dir() const { return target().mongo->backup_dir; }
  agent::mongo::BackupStore store() const { return agent::mongo::BackupStore(dir()); }

  testing_support::SshdFixture m_sshd{{fake_mongo::k_fake_mongo_bin_dir}};
  fs::path m_fake;
  agent::Config m_config;
  std::unique_ptr<agent::Tier> m_tier;
};

TEST_F(MongoTier, DumpLogsAProgressSummaryWithItsSize) {
  agent::setup_logging("info");
  testing::internal::CaptureStderr();
  const auto out = backup_at("01:00:02");
  const std::string err = testing::internal::GetCapturedStderr();
  ASSERT_EQ(out.state, agent::TierState::ok) << why(out);
  EXPECT_NE(
      err.find("mongo: dump of smoker: received, " + agent::human_bytes(out.backup_bytes) + " in "),
      std::string::npos)
      << err;
}

TEST_F(MongoTier, SuccessfulRunPublishesVerifiedBackupWithManifestAndLatest) {
  const auto out = backup_at("01:00:02");
  ASSERT_EQ(out.state, agent::TierState::ok) << why(out);
  EXPECT_EQ(out.backup_id, "backup-20261126-010002");
  const fs::path b = dir() / "backup-20261126-010002";
  ASSERT_TRUE(fs::is_directory(b));
  EXPECT_EQ(store().latest(), "backup-20261126-010002");
  EXPECT_FALSE(fs::exists(dir() / "backup-20261126-010002.partial"));

  auto m = agent::mongo::read_manifest(b / "manifest.json");
  ASSERT_TRUE(m) << m.error();
  EXPECT_TRUE(m->valid);
  EXPECT_EQ(m->run_id, "run-01:00:02");
  EXPECT_EQ(m->mongodump_exit, 0);
  EXPECT_EQ(m->tool_version, "100.9.4");
  EXPECT_EQ(m->server_version, "7.0.14");
  // Finish time on the run's clock (here 01:00:02 of a fixed day), not the wall clock.
  EXPECT_GE(m->finished_at, m->started_at);
  EXPECT_LE(m->finished_at - m->started_at, 60);
  // The stored bytes are what the manifest says, and they validate again from disk.
  const auto check = agent::mongo::check_stored_archive(b / "smoker.archive.gz");
  EXPECT_TRUE(check.verdict.valid);
  EXPECT_EQ(check.sha256, m->sha256);
  EXPECT_EQ(check.bytes, m->size);
  ASSERT_FALSE(m->collections.empty());
  for (const auto& c : m->collections) {
    ASSERT_TRUE(c.log_documents && c.archive_documents) << c.ns;
    EXPECT_EQ(*c.log_documents, *c.archive_documents) << c.ns;
    EXPECT_TRUE(c.crc_ok) << c.ns;
  }
  EXPECT_NE(slurp(dir() / "validation-report.txt").find("VALID"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir() / "validation-report.json"));
  // The password reached mongodump on stdin only: not in its argv, not in any stored file.
  EXPECT_EQ(slurp(m_fake / "mongodump.last").find(k_password), std::string::npos);
  for (const auto& f : fs::recursive_directory_iterator(dir())) {
    if (f.is_regular_file() && f.path().extension() != ".gz") {
      EXPECT_EQ(slurp(f.path()).find(k_password), std::string::npos) << f.path();
    }
  }
  EXPECT_NE(slurp(b / "mongodump.log").find("done dumping"), std::string::npos);
}

struct FailureCase {
  const char* name;
  const char* fake_settings;
  const char* expected_in_error;
  agent::TierError::Kind kind;
};

class MongoTierFailure : public MongoTier, public ::testing::WithParamInterface<FailureCase> {};

TEST_P(MongoTierFailure, FailedRunKeepsEarlierBackupAndLatestAndExplains) {
  ASSERT_EQ(backup_at("01:00:00").state, agent::TierState::ok);
  set_fake(GetParam().fake_settings);
  const auto out = backup_at("02:00:00");
  EXPECT_EQ(out.state, agent::TierState::failed);
  EXPECT_NE(why(out).find(GetParam().expected_in_error), std::string::npos) << why(out);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, GetParam().kind) << why(out);
  EXPECT_EQ(why(out).find(k_password), std::string::npos);
  EXPECT_EQ(store().latest(), "backup-20261126-010000");
  EXPECT_TRUE(fs::is_directory(dir() / "backup-20261126-010000"));
  EXPECT_FALSE(fs::exists(dir() / "backup-20261126-020000"));
  EXPECT_FALSE(fs::exists(dir() / "backup-20261126-020000.partial"));
  EXPECT_TRUE(fs::is_directory(dir() / "failed-20261126-020000"));
  EXPECT_EQ(store().list_valid().size(), 1U);
  EXPECT_NE(slurp(dir() / "validation-report.txt").find("INVALID"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, MongoTierFailure,
    ::testing::Values(FailureCase{"wrong_password", "fault=auth_fail\n",
                                  "wrong MongoDB username or password",
                                  agent::TierError::Kind::access},
                      FailureCase{"exit_midway", "fault=exit_midway\n",
                                  "Failed:", agent::TierError::Kind::refused},
                      FailureCase{"truncated", "fault=truncate\n", "validation failed",
                                  agent::TierError::Kind::invalid},
                      FailureCase{"corrupt_crc", "fault=corrupt_crc\n", "validation failed",
                                  agent::TierError::Kind::invalid},
                      FailureCase{"count_mismatch", "fault=count_mismatch\n", "validation failed",
                                  agent::TierError::Kind::invalid},
                      FailureCase{"stall", "fault=stall\nstall_seconds=8\n", "stalled",
                                  agent::TierError::Kind::unreachable}),
    [](const auto& p) { return std::string(p.param.name); });

TEST_F(MongoTier, WrongPasswordFileContentIsReportedWithoutLeakingIt) {
  std::ofstream(target().mongo->password.path) << "not-the-password\n";
  const auto out = backup_at("01:00:00");
  EXPECT_EQ(out.state, agent::TierState::failed);
  EXPECT_EQ(why(out).find("not-the-password"), std::string::npos);
  EXPECT_NE(why(out).find("password"), std::string::npos);
}

TEST_F(MongoTier, ConnectionCutMidStreamFailsAndNextRunCleansUp) {
  ASSERT_EQ(backup_at("01:00:00").state, agent::TierState::ok);
  // The stand-in stops sending after 64 KiB and sleeps; meanwhile the connection is cut.
  set_fake("fault=stall\nstall_seconds=6\n");
  std::thread cutter([this] {
    std::this_thread::sleep_for(1500ms);
    m_sshd.kill_sessions();
  });
  const auto out = backup_at("02:00:00");
  cutter.join();
  EXPECT_EQ(out.state, agent::TierState::failed);
  EXPECT_NE(why(out).find("connection lost at"), std::string::npos) << why(out);
  EXPECT_EQ(out.error->kind, agent::TierError::Kind::unreachable);
  EXPECT_EQ(store().latest(), "backup-20261126-010000");
  // A crash would leave a .partial; the next run removes it and succeeds.
  fs::create_directories(dir() / "backup-20261126-021500.partial");
  set_fake("");
  const auto next = backup_at("03:00:00");
  EXPECT_EQ(next.state, agent::TierState::ok) << why(next);
  for (const auto& e : fs::directory_iterator(dir())) {
    EXPECT_NE(e.path().extension(), ".partial") << e.path();
  }
  EXPECT_EQ(store().list_valid().size(), 2U);
}

TEST_F(MongoTier, ChangedHostKeyRefusesTheDump) {
  ASSERT_EQ(backup_at("01:00:00").state, agent::TierState::ok);
  ASSERT_TRUE(m_sshd.change_host_key());
  const auto out = backup_at("02:00:00");
  EXPECT_EQ(out.state, agent::TierState::failed);
  EXPECT_NE(why(out).find("SHA256:"), std::string::npos) << why(out);
  EXPECT_EQ(out.error->kind, agent::TierError::Kind::access);
  EXPECT_NE(why(out).find("does not match"), std::string::npos) << why(out);
  EXPECT_EQ(store().latest(), "backup-20261126-010000");
}

TEST_F(MongoTier, OnlyTheNewestFailedAttemptIsKept) {
  set_fake("fault=corrupt_crc\n");
  EXPECT_EQ(backup_at("01:00:00").state, agent::TierState::failed);
  EXPECT_EQ(backup_at("02:00:00").state, agent::TierState::failed);
  EXPECT_FALSE(fs::exists(dir() / "failed-20261126-010000"));
  EXPECT_TRUE(fs::exists(dir() / "failed-20261126-020000"));
  EXPECT_FALSE(store().latest().has_value());
}

TEST_F(MongoTier, PruneAppliesPolicyToValidBackupsAndNeverRemovesLatest) {
  for (int day : {20, 21, 22}) ASSERT_EQ(backup_at("01:00:00", day).state, agent::TierState::ok);
  set_fake("fault=corrupt_crc\n");
  ASSERT_EQ(backup_at("01:00:00", 23).state, agent::TierState::failed);
  // Point latest at the oldest: it must survive a keep-last=1 policy.
  ASSERT_FALSE(store().point_latest("backup-20261120-010000"));
  policies::RetentionPolicy keep_last_one;
  keep_last_one.keep_daily.reset();
  keep_last_one.keep_weekly.reset();
  keep_last_one.keep_monthly.reset();
  keep_last_one.keep_last = 1;
  m_config.retention = keep_last_one;
  const auto dry =
      testing_support::run_context(m_config, "prune", std::chrono::system_clock::now(), true);
  const auto plan = m_tier->begin(target(), dry)->prune();
  EXPECT_NE(plan.summary.find("would remove 1"), std::string::npos) << plan.summary;
  EXPECT_EQ(store().list_valid().size(), 3U);
  const auto real =
      testing_support::run_context(m_config, "prune", std::chrono::system_clock::now());
  const auto done = m_tier->begin(target(), real)->prune();
  EXPECT_EQ(done.state, agent::TierState::ok) << why(done);
  EXPECT_TRUE(fs::exists(dir() / "backup-20261120-010000"));  // latest
  EXPECT_FALSE(fs::exists(dir() / "backup-20261121-010000"));
  EXPECT_TRUE(fs::exists(dir() / "backup-20261122-010000"));  // keep-last
  EXPECT_TRUE(fs::exists(dir() / "failed-20261123-010000"));  // not a retention slot
}

}  // namespace
