// Drill records: the history file round-trips, is capped, survives damage; the schedule.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/tier/drill_record.hpp"

namespace agent {
namespace {

namespace fs = std::filesystem;

class DrillRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("drill-record-" +
           std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  static DrillRecord record(std::int64_t at, bool ok) {
    DrillRecord r;
    r.id = "d" + std::to_string(at);
    r.target = "prod-cloud";
    r.tier = TierName::mongo;
    r.started_at = at;
    r.backup_id = "backup-" + std::to_string(at);
    r.steps = {{"fetch", 1.5}, {"restore", 10.25}, {"checks", 0.5}, {"cleanup", 0.75}};
    r.rto_s = 12.25;
    r.bytes = 4096;
    r.ok = ok;
    if (!ok) {
      r.error_kind = TierError::Kind::invalid;
      r.error = "counts differ";
    }
    r.verified = {"5 collection(s)"};
    return r;
  }
  fs::path dir;
};

TEST_F(DrillRecordTest, HistoryRoundTripsEveryField) {
  ASSERT_FALSE(append_drill_record(dir, record(1000, true)));
  ASSERT_FALSE(append_drill_record(dir, record(2000, false)));
  const auto h = load_drill_history(dir, "prod-cloud", TierName::mongo);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].id, "d1000");
  EXPECT_TRUE(h[0].ok);
  EXPECT_EQ(h[1].error_kind, TierError::Kind::invalid);
  EXPECT_EQ(h[1].error, "counts differ");
  EXPECT_EQ(h[0].step_seconds("restore"), 10.25);
  EXPECT_FALSE(h[0].step_seconds("boot"));
  EXPECT_EQ(h[0].rto_s, 12.25);
  EXPECT_EQ(h[0].bytes, 4096u);
  EXPECT_EQ(h[0].verified, std::vector<std::string>{"5 collection(s)"});
  EXPECT_EQ(last_successful_drill(h)->id, "d1000");
  EXPECT_EQ(last_drill(h)->id, "d2000");
  EXPECT_TRUE(load_drill_history(dir, "prod-cloud", TierName::vzdump).empty());
}

TEST_F(DrillRecordTest, HistoryKeepsTheNewestFifty) {
  for (int i = 0; i < 53; ++i) ASSERT_FALSE(append_drill_record(dir, record(i, true)));
  const auto h = load_drill_history(dir, "prod-cloud", TierName::mongo);
  ASSERT_EQ(h.size(), k_drill_history_max);
  EXPECT_EQ(h.front().started_at, 3);
  EXPECT_EQ(h.back().started_at, 52);
}

TEST_F(DrillRecordTest, ADamagedHistoryReadsAsEmptyAndTheNextDrillStartsOver) {
  const auto path = drill_history_path(dir, "prod-cloud", TierName::mongo);
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "{\"drills\": [{\"id\": 5";
  EXPECT_TRUE(load_drill_history(dir, "prod-cloud", TierName::mongo).empty());
  std::ofstream(path, std::ios::trunc) << "{\"drills\": 7}";
  EXPECT_TRUE(load_drill_history(dir, "prod-cloud", TierName::mongo).empty());
  ASSERT_FALSE(append_drill_record(dir, record(9, true)));
  EXPECT_EQ(load_drill_history(dir, "prod-cloud", TierName::mongo).size(), 1u);
}

TEST_F(DrillRecordTest, ScheduleIsDueEveryIntervalAndRetriesAFailureSooner) {
  const std::int64_t every = 90 * 86400;
  EXPECT_EQ(drill_schedule({}, every).due_at, 0);  // never drilled: due at once
  std::vector<DrillRecord> h = {record(1000, true)};
  EXPECT_EQ(drill_schedule(h, every).due_at, 1000 + every);
  EXPECT_EQ(drill_schedule(h, every).overdue_at, 1000 + every + k_drill_overdue_grace_s);
  h.push_back(record(5000, false));
  EXPECT_EQ(drill_schedule(h, every).due_at, 5000 + k_drill_retry_s);
  EXPECT_EQ(drill_schedule(h, every).overdue_at, 1000 + every + k_drill_overdue_grace_s);
}

TEST_F(DrillRecordTest, ActiveDrillMarkerIsWrittenReadAndCleared) {
  ASSERT_FALSE(write_active_drill(dir, "prod-cloud", TierName::vzdump,
                                  {"20261201T020000Z", 4242, 1796090400, "CT 9106 on pve1"}));
  const auto a = read_active_drill(dir, "prod-cloud", TierName::vzdump);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id, "20261201T020000Z");
  EXPECT_EQ(a->pid, 4242);
  EXPECT_EQ(a->scratch, "CT 9106 on pve1");
  clear_active_drill(dir, "prod-cloud", TierName::vzdump);
  EXPECT_FALSE(read_active_drill(dir, "prod-cloud", TierName::vzdump));
}

}  // namespace
}  // namespace agent
