// What `status` says of a destination (agent/offsite/offsite_report.hpp), from local facts
// only: the lag thresholds derived from the schedule (one interval + 2 h: warning, two
// intervals + 2 h: critical), and the per-destination JSON section.
#include "agent/offsite/offsite_report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "agent/mongo/manifest.hpp"
#include "agent/offsite/destination_state.hpp"
#include "agent/tier/offsite_receipt.hpp"

namespace agent::offsite {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t k_now = 1796306400;  // 2026-12-03T14:00:00Z
constexpr std::int64_t k_hour = 3600;

class OffsiteReport : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("offsite-report-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "state");
    fs::create_directories(m_dir / "backups");
    config.timezone = "UTC";
    config.state_dir = m_dir / "state";
    TargetConfig t;
    t.name = "prod";
    t.vmid = 106;
    MongoConfig mc;
    mc.database = "app";
    mc.backup_dir = m_dir / "backups";
    t.mongo = mc;
    config.targets.push_back(t);
    OffsiteDestination d;
    d.name = "b2";
    d.bucket = "pve1-backups";
    d.endpoint = "https://s3.example.org";
    d.lock = OffsiteLock::compliance;
    config.offsite.destinations.push_back(d);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  // A valid local mongo backup made `age_s` before k_now.
  std::string add_backup(std::int64_t age_s) {
    const std::int64_t ctime = k_now - age_s;
    const std::string id = "backup-" + std::to_string(ctime);
    const fs::path bdir = m_dir / "backups" / id;
    fs::create_directories(bdir);
    std::ofstream(bdir / "app.archive.gz") << "archive";
    mongo::Manifest m;
    m.backup_id = id;
    m.run_id = "R";
    m.target = "prod";
    m.database = "app";
    m.started_at = m.finished_at = ctime;
    m.archive_file = "app.archive.gz";
    m.size = 7;
    m.sha256 = std::string(64, 'a');
    m.valid = true;
    std::ofstream(bdir / "manifest.json") << mongo::manifest_to_json(m);
    return id;
  }
  void add_receipt(const std::string& id, std::int64_t ctime, std::int64_t retain_until) {
    OffsiteReceipts r;
    r.target = "prod";
    r.tier = TierName::mongo;
    r.backup_id = id;
    r.ctime = ctime;
    r.file_name = id + ".app.archive.gz";
    r.plaintext_sha256 = std::string(64, 'a');
    r.plaintext_size = 7;
    OffsiteCopy c;
    c.destination = "b2";
    c.bucket = "pve1-backups";
    c.key = "prod/mongo/x/" + r.file_name + ".age";
    c.version_id = "v1";
    c.size = 1000;
    c.lock_mode = "COMPLIANCE";
    c.retain_until = retain_until;
    c.uploaded_at = ctime + 60;
    r.copies.push_back(c);
    ASSERT_FALSE(write_offsite_receipts(config.state_dir, r));
  }
  DestinationReport report(std::optional<std::int64_t> interval = std::nullopt) {
    auto all = destination_reports(config, k_now, interval);
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? DestinationReport{} : all.front();
  }

  Config config;
  fs::path m_dir;
};

TEST_F(OffsiteReport, ABackupNotYetOffsiteIsOkWithinOneNightlyIntervalPlusTwoHours) {
  add_backup(25 * k_hour);
  const auto r = report();
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.targets[0].lag, 1u);
  EXPECT_EQ(r.level, Level::ok) << (r.reasons.empty() ? "" : r.reasons[0]);
}

TEST_F(OffsiteReport, LagPastOneIntervalPlusTwoHoursIsAWarningPastTwoCritical) {
  add_backup(27 * k_hour);
  auto r = report();
  EXPECT_EQ(r.level, Level::warning);
  ASSERT_FALSE(r.reasons.empty());
  EXPECT_NE(r.reasons[0].find("not yet off-site on b2"), std::string::npos) << r.reasons[0];
  EXPECT_NE(r.reasons[0].find("warning after 26h00m"), std::string::npos) << r.reasons[0];

  add_backup(51 * k_hour);
  r = report();
  EXPECT_EQ(r.level, Level::critical);
  EXPECT_EQ(r.targets[0].lag, 2u);
  EXPECT_NE(r.reasons[0].find("critical after"), std::string::npos) << r.reasons[0];
}

TEST_F(OffsiteReport, TheTimersIntervalSetsTheThresholds) {
  add_backup(4 * k_hour);
  EXPECT_EQ(report().level, Level::ok);                  // nightly: 26 h
  EXPECT_EQ(report(k_hour).level, Level::warning);       // hourly timer: 3 h
  EXPECT_EQ(report(k_hour / 2).level, Level::critical);  // every 30 min: 3 h
}

TEST_F(OffsiteReport, ACopyWithAReceiptIsNotLagAndCountsAsStoredAndLocked) {
  const std::string id = add_backup(30 * k_hour);
  add_receipt(id, k_now - 30 * k_hour, k_now + 10 * 86400);
  const auto r = report();
  ASSERT_EQ(r.targets.size(), 1u);
  EXPECT_EQ(r.level, Level::ok) << (r.reasons.empty() ? "" : r.reasons[0]);
  EXPECT_EQ(r.targets[0].lag, 0u);
  EXPECT_EQ(r.targets[0].copies, 1u);
  EXPECT_EQ(r.targets[0].bytes, 1000u);
  EXPECT_EQ(r.targets[0].locked, 1u);
  EXPECT_EQ(r.targets[0].newest_backup, id);
}

TEST_F(OffsiteReport, AFailedVerificationIsCritical) {
  DestinationState s;
  s.name = "b2";
  s.last_verified_at = k_now - k_hour;
  s.last_verify_ok = false;
  s.last_verify_problem = "prod/mongo/x: its content changed";
  ASSERT_FALSE(save_destination_state(config.state_dir, s));
  const auto r = report();
  EXPECT_EQ(r.level, Level::critical);
  EXPECT_NE(r.reasons[0].find("its content changed"), std::string::npos);
  EXPECT_NE(render_reports_table({r}, k_now).find("FAILED"), std::string::npos);
}

TEST_F(OffsiteReport, JsonHasNewestCopyLagBytesLockAndLastVerification) {
  const std::string old_id = add_backup(50 * k_hour);
  add_receipt(old_id, k_now - 50 * k_hour, k_now + 86400);
  add_backup(27 * k_hour);  // not yet off-site
  DestinationState s;
  s.name = "b2";
  s.last_success_at = k_now - 2 * k_hour;
  s.last_verified_at = k_now - k_hour;
  s.last_verify_ok = true;
  s.last_verified_count = 1;
  ASSERT_FALSE(save_destination_state(config.state_dir, s));

  const auto j = nlohmann::json::parse(render_reports_json({report()}));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  const auto& d = j[0];
  EXPECT_EQ(d["name"], "b2");
  EXPECT_EQ(d["lock"], "compliance");
  EXPECT_EQ(d["state"], "warning");
  EXPECT_EQ(d["last_success_at"], k_now - 2 * k_hour);
  EXPECT_EQ(d["last_verified_at"], k_now - k_hour);
  EXPECT_EQ(d["last_verify_ok"], true);
  EXPECT_EQ(d["last_verified_count"], 1);
  ASSERT_EQ(d["targets"].size(), 1u);
  const auto& t = d["targets"][0];
  EXPECT_EQ(t["target"], "prod");
  EXPECT_EQ(t["newest_backup"], old_id);
  EXPECT_EQ(t["newest_ctime"], k_now - 50 * k_hour);
  EXPECT_EQ(t["copies"], 1);
  EXPECT_EQ(t["bytes"], 1000);
  EXPECT_EQ(t["lag"], 1);
  EXPECT_EQ(t["oldest_pending_ctime"], k_now - 27 * k_hour);
  EXPECT_EQ(t["locked"], 1);
  EXPECT_EQ(t["earliest_retain_until"], k_now + 86400);
}

}  // namespace
}  // namespace agent::offsite
