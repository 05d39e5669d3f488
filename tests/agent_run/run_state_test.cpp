#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agent/core/atomic_file.hpp"
#include "agent/run/metrics.hpp"
#include "agent/run/run_id.hpp"
#include "agent/run/run_journal.hpp"
#include "agent/tier/tier_record.hpp"
#include "tests/support/manual_clock.hpp"

namespace {

namespace fs = std::filesystem;

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("agent_run_test." + std::to_string(::getpid()) + "." +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir;
};

using RunJournalTest = TempDir;
using TierRecordTest = TempDir;

TEST(RunId, IsTheUtcStartInBasicIsoForm) {
  EXPECT_EQ(agent::make_run_id(std::chrono::system_clock::from_time_t(1765069202)),
            "20251207T010002Z");
}

TEST_F(RunJournalTest, AKilledRunLeavesItsStepsForTheNextRun) {
  {
    agent::ManualClock clock(std::chrono::system_clock::from_time_t(1765069202));
    auto j = agent::RunJournal::begin(m_dir, "20251207T010002Z", clock);
    ASSERT_TRUE(j) << j.error();
    j->record("prod-cloud", agent::TierName::mongo, agent::JournalStep::backup,
              "/x/backup-1.partial");
    // no finish(): the process "dies" here
  }
  const auto entries = agent::RunJournal::read_unfinished(m_dir);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].step, agent::JournalStep::backup);
  EXPECT_EQ(entries[1].detail, "/x/backup-1.partial");
  EXPECT_EQ(entries[1].run_id, "20251207T010002Z");
  EXPECT_EQ(entries[1].at, "2025-12-07T01:00:02Z");  // the run's clock, not the wall clock
}

TEST_F(RunJournalTest, AFinishedRunLeavesNothingAndATornLineIsIgnored) {
  agent::ManualClock clock;
  auto j = agent::RunJournal::begin(m_dir, "r1", clock);
  ASSERT_TRUE(j);
  j->finish();
  EXPECT_TRUE(agent::RunJournal::read_unfinished(m_dir).empty());
  auto j2 = agent::RunJournal::begin(m_dir, "r2", clock);
  ASSERT_TRUE(j2);
  std::ofstream(m_dir / "journal" / "current.jsonl", std::ios::app) << "{\"run_id\": \"r2\", \"pi";
  EXPECT_EQ(agent::RunJournal::read_unfinished(m_dir).size(), 1u);
}

TEST_F(RunJournalTest, AStepWordThisVersionDoesNotKnowIsSkippedNotMisread) {
  agent::ManualClock clock;
  auto j = agent::RunJournal::begin(m_dir, "r3", clock);
  ASSERT_TRUE(j);
  j->record("prod-cloud", agent::TierName::vzdump, agent::JournalStep::task_started, "UPID:x");
  std::ofstream(m_dir / "journal" / "current.jsonl", std::ios::app)
      << R"({"run_id":"r3","pid":1,"target":"prod-cloud","tier":"vzdump","step":"teleport",)"
      << R"("detail":"","at":"2025-12-07T01:00:02Z"})"
      << "\n";
  const auto entries = agent::RunJournal::read_unfinished(m_dir);
  ASSERT_EQ(entries.size(), 2u);  // "started" and "task-started"; the unknown word is dropped
  EXPECT_EQ(entries[1].step, agent::JournalStep::task_started);
}

TEST(JournalStep, EveryStepReadsBackFromItsWord) {
  for (auto step :
       {agent::JournalStep::started, agent::JournalStep::backup, agent::JournalStep::task_started,
        agent::JournalStep::upload, agent::JournalStep::prune, agent::JournalStep::done}) {
    EXPECT_EQ(agent::parse_journal_step(agent::to_string(step)), step);
  }
  EXPECT_EQ(agent::to_string(agent::JournalStep::task_started), "task-started");
  EXPECT_FALSE(agent::parse_journal_step("Done"));
}

TEST_F(TierRecordTest, AFailedRunKeepsTheLastSuccessAndRecordsTheError) {
  agent::TierRecord r;
  r.target = "prod-cloud";
  r.tier = agent::TierName::vzdump;
  agent::TierOutcome ok;
  ok.backup_id = "local:backup/a.tar.zst";
  ok.backup_bytes = 42;
  ok.validation_ok = true;
  agent::TierOutcome prune;
  prune.kept_count = 3;
  prune.kept_bytes = 126;
  prune.kept_per_rule = {{policies::Rule::daily, 3}};
  agent::apply_outcome(r, "run1", 1000, 2.5, ok, prune);
  const auto bad = agent::failed_outcome(
      {agent::TierError::Kind::refused, "vzdump of CT 106 failed: job errors"});
  agent::apply_outcome(r, "run2", 2000, 1.0, bad, std::nullopt);
  EXPECT_EQ(r.last_run_state, agent::TierState::failed);
  EXPECT_EQ(r.last_error, bad.error->message);
  EXPECT_EQ(r.last_error_kind, agent::TierError::Kind::refused);
  EXPECT_EQ(r.last_success_at, 1000);
  EXPECT_EQ(r.last_success_backup_id, "local:backup/a.tar.zst");
  EXPECT_EQ(r.count, 3u);

  ASSERT_FALSE(agent::save_tier_record(m_dir, r));
  const auto loaded = agent::load_tier_record(m_dir, "prod-cloud", agent::TierName::vzdump);
  EXPECT_EQ(loaded.last_error, r.last_error);
  EXPECT_EQ(loaded.last_error_kind, agent::TierError::Kind::refused);
  EXPECT_EQ(loaded.last_run_state, agent::TierState::failed);
  EXPECT_EQ(loaded.size_bytes, 126u);
  EXPECT_EQ(loaded.kept_per_rule.at(policies::Rule::daily), 3u);
  EXPECT_EQ(loaded.last_validation_ok, true);
}

TEST_F(TierRecordTest, EachPrunedRunAddsASizeSampleKeptAcrossSaves) {
  agent::TierRecord r;
  r.target = "prod-cloud";
  r.tier = agent::TierName::mongo;
  agent::TierOutcome made;
  made.backup_id = "backup-1";
  made.backup_bytes = 10;
  agent::TierOutcome prune;
  for (std::uint64_t i = 0; i < agent::k_size_history_max + 5; ++i) {
    prune.kept_bytes = 100 + i;
    agent::apply_outcome(r, "run", static_cast<std::int64_t>(1000 + i), 1.0, made, prune);
  }
  const auto failed = agent::failed_outcome({agent::TierError::Kind::unreachable, "down"});
  agent::apply_outcome(r, "run", 5000, 1.0, failed, std::nullopt);  // no prune: no sample
  ASSERT_EQ(r.size_history.size(), agent::k_size_history_max);
  EXPECT_EQ(r.size_history.front().at, 1005);  // the oldest five dropped
  EXPECT_EQ(r.size_history.back().kept_bytes, 100 + agent::k_size_history_max + 4);
  EXPECT_EQ(r.size_history.back().backup_bytes, 10u);

  ASSERT_FALSE(agent::save_tier_record(m_dir, r));
  const auto loaded = agent::load_tier_record(m_dir, "prod-cloud", agent::TierName::mongo);
  ASSERT_EQ(loaded.size_history.size(), r.size_history.size());
  EXPECT_EQ(loaded.size_history.back().kept_bytes, r.size_history.back().kept_bytes);
  EXPECT_EQ(loaded.size_history.front().at, 1005);
}

TEST_F(TierRecordTest, MetricsFileHasEveryDocumentedSeriesPerTargetAndTier) {
  agent::TierRecord r;
  r.target = "prod-cloud";
  r.tier = agent::TierName::mongo;
  r.last_success_at = 1000;
  r.last_run_at = 1000;
  r.last_run_state = agent::TierState::ok;
  r.count = 7;
  r.size_bytes = 700;
  r.last_run_duration_s = 1.5;
  r.last_validation_ok = true;
  const auto file = m_dir / "m" / "pve-smokerbak.prom";
  ASSERT_FALSE(agent::write_metrics_file(file, {r}));
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  for (const char* line :
       {"pve_smokerbak_last_success_timestamp_seconds{target=\"prod-cloud\",tier=\"mongo\"} 1000",
        "pve_smokerbak_last_run_success{target=\"prod-cloud\",tier=\"mongo\"} 1",
        "pve_smokerbak_backups{target=\"prod-cloud\",tier=\"mongo\"} 7",
        "pve_smokerbak_backup_bytes{target=\"prod-cloud\",tier=\"mongo\"} 700",
        "pve_smokerbak_run_duration_seconds{target=\"prod-cloud\",tier=\"mongo\"} 1.5",
        "pve_smokerbak_last_validation_success{target=\"prod-cloud\",tier=\"mongo\"} 1",
        "# TYPE pve_smokerbak_last_run_timestamp_seconds gauge"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  // Atomic replace leaves no temp files behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(m_dir / "m"), fs::directory_iterator()), 1);
}

}  // namespace

namespace {

using TierRecordCompatTest = TempDir;

TEST_F(TierRecordCompatTest, ARecordWrittenByTheVersionBeforeErrorKindsStillLoads) {
  // As the previous version wrote it: no last_error_kind.
  const auto file = agent::tier_record_path(m_dir, "prod-cloud", agent::TierName::vzdump);
  fs::create_directories(file.parent_path());
  std::ofstream(file) << R"({"target": "prod-cloud", "tier": "vzdump", "last_run_id": "R2",
    "last_run_at": 2000, "last_run_duration_s": 1.0, "last_run_state": "failed",
    "last_run_summary": "", "last_error": "vzdump of CT 106 failed: job errors",
    "warnings": [], "last_success_run_id": "R1", "last_success_at": 1000,
    "last_success_backup_id": "local:backup/a.tar.zst", "last_success_bytes": 42,
    "kept_per_rule": {"daily": 3}, "last_validation_ok": true, "count": 3, "size_bytes": 126,
    "size_history": [[1000, 126, 42]]})";
  const auto r = agent::load_tier_record(m_dir, "prod-cloud", agent::TierName::vzdump);
  EXPECT_EQ(r.last_run_state, agent::TierState::failed);
  EXPECT_EQ(r.last_error, "vzdump of CT 106 failed: job errors");
  EXPECT_FALSE(r.last_error_kind);
  EXPECT_EQ(r.last_success_backup_id, "local:backup/a.tar.zst");
  EXPECT_EQ(r.count, 3u);
  ASSERT_EQ(r.size_history.size(), 1u);
  // Saved again, it keeps every field and adds the kind (null).
  ASSERT_FALSE(agent::save_tier_record(m_dir, r));
  const auto again = agent::load_tier_record(m_dir, "prod-cloud", agent::TierName::vzdump);
  EXPECT_EQ(again.last_error, r.last_error);
  EXPECT_EQ(agent::to_json_text(again), agent::to_json_text(r));
}

TEST_F(TierRecordCompatTest, KeptPerRuleIsReadByRuleAndAWordThisVersionDoesNotKnowIsLeftOut) {
  const auto file = agent::tier_record_path(m_dir, "prod-cloud", agent::TierName::mongo);
  fs::create_directories(file.parent_path());
  std::ofstream(file) << R"({"kept_per_rule": {"daily": 7, "fortnightly": 2, "weekly": 4}})";
  const auto r = agent::load_tier_record(m_dir, "prod-cloud", agent::TierName::mongo);
  EXPECT_EQ(r.kept_per_rule, (std::map<policies::Rule, std::uint64_t>{
                                 {policies::Rule::daily, 7}, {policies::Rule::weekly, 4}}));
  EXPECT_NE(agent::to_json_text(r).find(R"("daily": 7)"), std::string::npos);
}

TEST_F(TierRecordCompatTest, AnUnknownStateInARecordReadsAsNoStateNotAsOk) {
  const auto file = agent::tier_record_path(m_dir, "prod-cloud", agent::TierName::mongo);
  fs::create_directories(file.parent_path());
  std::ofstream(file) << R"({"last_run_id": "R2", "last_run_state": "exploded"})";
  const auto r = agent::load_tier_record(m_dir, "prod-cloud", agent::TierName::mongo);
  EXPECT_EQ(r.last_run_id, "R2");
  EXPECT_FALSE(r.last_run_state);
}

}  // namespace
