// The orchestrator in-process: execute_run over fake tiers, with the real lock, journal, tier
// records and metrics file in a temporary state directory.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "agent/core/exit_codes.hpp"
#include "agent/core/run_lock.hpp"
#include "agent/run/run_job.hpp"
#include "agent/run/run_journal.hpp"
#include "agent/status/status_report.hpp"
#include "agent/tier/tier_record.hpp"
#include "tests/support/fake_tier.hpp"
#include "tests/support/manual_clock.hpp"

namespace {

namespace fs = std::filesystem;
using agent::TierError;
using agent::TierName;
using agent::TierState;
using testing_support::FakeTier;

constexpr std::int64_t k_start = 1767229200;  // 2026-01-01T01:00:00Z

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class ExecuteRun : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("execute_run_test." + std::to_string(::getpid()) + "." +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    config.state_dir = m_dir / "state";
    config.metrics_file = m_dir / "metrics" / "pve-smokerbak.prom";
    config.source_file = m_dir / "config.yaml";
    for (const char* name : {"alpha", "beta"}) {
      agent::TargetConfig t;
      t.name = name;
      t.vmid = 106;
      config.targets.push_back(t);
    }
    auto vz = std::make_unique<FakeTier>(TierName::vzdump);
    auto mg = std::make_unique<FakeTier>(TierName::mongo);
    vzdump = vz.get();
    mongo = mg.get();
    tiers.add(std::move(vz));
    tiers.add(std::move(mg));
  }
  void TearDown() override { fs::remove_all(m_dir); }

  agent::RunResult run(agent::RunOptions options = {}) {
    return agent::execute_run(config, options, tiers, clock, reporter);
  }

  agent::TierRecord record(const std::string& target, TierName tier) const {
    return agent::load_tier_record(config.state_dir, target, tier);
  }

  static std::vector<std::string> steps_of(const agent::RunResult& r) {
    std::vector<std::string> out;
    for (const auto& s : r.steps) {
      out.push_back(s.target + "/" + to_string(s.tier) + " " + to_string(s.step) + " " +
                    to_string(s.outcome.state));
    }
    return out;
  }

  fs::path m_dir;
  agent::Config config;
  agent::TierSet tiers;
  FakeTier* vzdump = nullptr;
  FakeTier* mongo = nullptr;
  agent::ManualClock clock{std::chrono::system_clock::from_time_t(k_start)};
  testing_support::RecordingReporter reporter;
};

TEST_F(ExecuteRun, EveryTierOfEveryTargetIsBackedUpThenPrunedInTheTierSetsOrder) {
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_success);
  EXPECT_EQ(vzdump->calls,
            (std::vector<std::string>{"backup alpha", "prune alpha", "backup beta", "prune beta"}));
  EXPECT_EQ(steps_of(r),
            (std::vector<std::string>{"alpha/vzdump backup ok", "alpha/vzdump prune ok",
                                      "alpha/mongo backup ok", "alpha/mongo prune ok",
                                      "beta/vzdump backup ok", "beta/vzdump prune ok",
                                      "beta/mongo backup ok", "beta/mongo prune ok"}));
  // The mongo tier sees the same target's vzdump backup of this run, never another target's.
  EXPECT_EQ(mongo->made_seen["alpha"].at(TierName::vzdump), "vzdump-alpha-20260101T010000Z");
  EXPECT_EQ(mongo->made_seen["beta"].at(TierName::vzdump), "vzdump-beta-20260101T010000Z");
  EXPECT_TRUE(vzdump->made_seen["beta"].empty());
  ASSERT_EQ(reporter.summaries.size(), 1u);
  EXPECT_TRUE(reporter.plans.empty()) << "plans are shown in dry runs only";
  EXPECT_FALSE(fs::exists(config.state_dir / "journal" / "current.jsonl"));
  const auto rec = record("alpha", TierName::mongo);
  EXPECT_EQ(rec.last_run_state, TierState::ok);
  EXPECT_EQ(rec.last_run_id, "20260101T010000Z");
  EXPECT_EQ(rec.last_success_at, k_start);
  EXPECT_EQ(rec.count, 1u);
}

TEST_F(ExecuteRun, AFailedBackupIsNeverPrunedAndTheOtherTierAndTargetStillRun) {
  vzdump->backup_steps["alpha"] = [](const auto&, const auto&) {
    return testing_support::failed(TierError::Kind::refused, "vzdump of CT 106 failed: job errors");
  };
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_failure);
  EXPECT_EQ(vzdump->calls, (std::vector<std::string>{"backup alpha", "backup beta", "prune beta"}));
  EXPECT_EQ(mongo->calls,
            (std::vector<std::string>{"backup alpha", "prune alpha", "backup beta", "prune beta"}));
  EXPECT_TRUE(mongo->made_seen["alpha"].empty()) << "a failed backup names nothing";
  const auto rec = record("alpha", TierName::vzdump);
  EXPECT_EQ(rec.last_run_state, TierState::failed);
  EXPECT_EQ(rec.last_error, "vzdump of CT 106 failed: job errors");
  EXPECT_EQ(rec.last_error_kind, TierError::Kind::refused);
  EXPECT_EQ(record("beta", TierName::vzdump).last_run_state, TierState::ok);
}

TEST_F(ExecuteRun, WarningsGiveExitCodeThree) {
  mongo->backup_steps["beta"] = [](const auto&, const auto&) {
    return testing_support::ok_backup("b", {"The mongo dump is much smaller than the last."});
  };
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_warnings);
  EXPECT_EQ(record("beta", TierName::mongo).last_run_state, TierState::warning);
}

TEST_F(ExecuteRun, AHeldLockGives75NamingTheHoldersPidAndRunsNothing) {
  auto held = agent::RunLock::acquire(config.state_dir);
  ASSERT_TRUE(held) << held.error().message;
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_locked);
  EXPECT_NE(r.refused.find("PID " + std::to_string(::getpid())), std::string::npos) << r.refused;
  EXPECT_TRUE(vzdump->calls.empty());
  EXPECT_TRUE(mongo->calls.empty());
  EXPECT_TRUE(reporter.summaries.empty());
}

TEST_F(ExecuteRun, AKilledRunsJournalIsReconciledByEachTierAndReported) {
  {
    agent::ManualClock then(std::chrono::system_clock::from_time_t(k_start - 86400));
    auto journal = agent::RunJournal::begin(config.state_dir, "20251231T010000Z", then);
    ASSERT_TRUE(journal) << journal.error();
    journal->record("alpha", TierName::vzdump, agent::JournalStep::backup);
    journal->record("alpha", TierName::vzdump, agent::JournalStep::done);
    journal->record("alpha", TierName::mongo, agent::JournalStep::backup);
    journal->record("beta", TierName::vzdump, agent::JournalStep::task_started,
                    "UPID:pve1:1:2:3:vzdump:106:a@pve!b:");
    // killed: no finish()
  }
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_success);
  ASSERT_FALSE(mongo->calls.empty());
  EXPECT_EQ(mongo->calls.front(), "reconcile alpha backup ()");
  ASSERT_FALSE(vzdump->calls.empty());
  EXPECT_EQ(vzdump->calls.front(),
            "reconcile beta task-started (UPID:pve1:1:2:3:vzdump:106:a@pve!b:)");
  ASSERT_EQ(reporter.reconciled_reports.size(), 1u);
  const auto& report = reporter.reconciled_reports.front();
  EXPECT_EQ(report.run_id, "20251231T010000Z");
  EXPECT_EQ(report.pid, static_cast<long>(::getpid()));
  ASSERT_EQ(report.tiers.size(), 2u);  // alpha/vzdump had finished
  for (const auto& t : report.tiers) EXPECT_EQ(t.actions, std::vector<std::string>{"cleaned up"});

  // The text the operator reads.
  std::ostringstream out, err;
  agent::StreamOutput output(out, err);
  agent::TextReporter(output).reconciled(report);
  EXPECT_EQ(out.str(), "Previous run 20251231T010000Z (PID " + std::to_string(::getpid()) +
                           ") did not finish; reconciling what it left:\n"
                           "  alpha/mongo: interrupted at step 'backup'\n"
                           "    cleaned up\n"
                           "  beta/vzdump: interrupted at step 'task-started' "
                           "(UPID:pve1:1:2:3:vzdump:106:a@pve!b:)\n"
                           "    cleaned up\n");
  // This run's journal replaced the killed one's and was closed.
  EXPECT_TRUE(agent::RunJournal::read_unfinished(config.state_dir).empty());
}

TEST_F(ExecuteRun, AnExceptionInATierIsItsInternalFailureAndEverythingElseStillHappens) {
  vzdump->backup_steps["alpha"] = [](const auto&, const auto&) -> agent::TierOutcome {
    throw std::runtime_error("vector::at out of range");
  };
  mongo->prune_steps["beta"] = [](const auto&, const auto&) -> agent::TierOutcome { throw 42; };
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_failure);
  ASSERT_FALSE(r.steps.empty());
  const auto& first = r.steps.front();
  EXPECT_EQ(first.outcome.state, TierState::failed);
  ASSERT_TRUE(first.outcome.error);
  EXPECT_EQ(first.outcome.error->kind, TierError::Kind::internal);
  EXPECT_NE(first.outcome.error->message.find("vector::at out of range"), std::string::npos);
  EXPECT_EQ(steps_of(r),
            (std::vector<std::string>{"alpha/vzdump backup failed", "alpha/mongo backup ok",
                                      "alpha/mongo prune ok", "beta/vzdump backup ok",
                                      "beta/vzdump prune ok", "beta/mongo backup ok",
                                      "beta/mongo prune failed"}));
  // Records and metrics are written for every tier, the failed ones with their kind.
  EXPECT_EQ(record("alpha", TierName::vzdump).last_error_kind, TierError::Kind::internal);
  EXPECT_EQ(record("beta", TierName::mongo).last_error_kind, TierError::Kind::internal);
  EXPECT_EQ(record("beta", TierName::vzdump).last_run_state, TierState::ok);
  const std::string metrics = slurp(config.metrics_file);
  EXPECT_NE(metrics.find("pve_smokerbak_last_run_error{target=\"alpha\",tier=\"vzdump\","
                         "kind=\"internal\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("pve_smokerbak_last_run_success{target=\"beta\",tier=\"vzdump\"} 1"),
            std::string::npos);
}

TEST_F(ExecuteRun, EachErrorKindReachesTheExitCodeTheStatusStateAndTheMetric) {
  using Kind = TierError::Kind;
  const std::pair<Kind, agent::Health> cases[] = {
      {Kind::access, agent::Health::critical},   {Kind::unreachable, agent::Health::warning},
      {Kind::refused, agent::Health::warning},   {Kind::invalid, agent::Health::critical},
      {Kind::local_io, agent::Health::critical}, {Kind::internal, agent::Health::critical},
  };
  for (const auto& [kind, health] : cases) {
    SCOPED_TRACE(agent::to_string(kind));
    // A good night, then a failed one: only the failure's kind can make the status critical.
    agent::RunOptions only_alpha;
    only_alpha.target = "alpha";
    clock.advance(std::chrono::hours(24));
    vzdump->backup_steps.clear();
    ASSERT_EQ(run(only_alpha).exit_code, agent::exit_code::k_success);
    clock.advance(std::chrono::hours(1));
    vzdump->backup_steps["alpha"] = [k = kind](const auto&, const auto&) {
      return testing_support::failed(k, "it failed");
    };
    EXPECT_EQ(run(only_alpha).exit_code, agent::exit_code::k_failure);

    const std::string metrics = slurp(config.metrics_file);
    EXPECT_NE(metrics.find("pve_smokerbak_last_run_error{target=\"alpha\",tier=\"vzdump\",kind=\"" +
                           std::string(agent::to_string(kind)) + "\"} 1"),
              std::string::npos)
        << metrics;
    EXPECT_EQ(metrics.find("pve_smokerbak_last_run_error{target=\"alpha\",tier=\"mongo\""),
              std::string::npos)
        << "only a failed tier has the series";

    const auto now = std::chrono::system_clock::to_time_t(clock.now()) + 3600;
    const auto report = agent::build_status(config, tiers, now, {});
    const auto& vz_status = report.targets.at(0).tiers.at(0);
    ASSERT_EQ(vz_status.tier, TierName::vzdump);
    EXPECT_EQ(vz_status.health.health, health);
    EXPECT_NE(agent::render_status_json(report).find("\"last_error_kind\": \"" +
                                                     std::string(agent::to_string(kind)) + "\""),
              std::string::npos);
  }
}

TEST_F(ExecuteRun, ADryRunReportsThePlansAndWritesNothing) {
  agent::RunOptions dry;
  dry.dry_run = true;
  const auto r = run(dry);
  EXPECT_EQ(r.exit_code, agent::exit_code::k_success);
  EXPECT_EQ(reporter.plans.size(), 4u);  // two tiers of two targets
  EXPECT_FALSE(fs::exists(config.state_dir));
  EXPECT_FALSE(fs::exists(config.metrics_file));
}

TEST_F(ExecuteRun, PruneOnlyRunsNoBackupAndOneTierOnRequest) {
  agent::RunOptions prune;
  prune.prune_only = true;
  prune.tier = TierName::mongo;
  const auto r = run(prune);
  EXPECT_EQ(r.exit_code, agent::exit_code::k_success);
  EXPECT_TRUE(vzdump->calls.empty());
  EXPECT_EQ(mongo->calls, (std::vector<std::string>{"prune alpha", "prune beta"}));
  EXPECT_EQ(steps_of(r), (std::vector<std::string>{"alpha/mongo prune ok", "beta/mongo prune ok"}));
  EXPECT_EQ(record("alpha", TierName::mongo).count, 1u);
}

TEST_F(ExecuteRun, AnUnknownTargetIsAUsageErrorNamingTheConfiguredOnes) {
  agent::RunOptions options;
  options.target = "gamma";
  const auto r = run(options);
  EXPECT_EQ(r.exit_code, agent::exit_code::k_usage);
  EXPECT_NE(r.refused.find("configured: alpha, beta"), std::string::npos) << r.refused;
}

TEST_F(ExecuteRun, TheSummaryTableHasOneRowPerStepAndTheWarnings) {
  vzdump->backup_steps["alpha"] = [](const auto&, const auto&) {
    return testing_support::failed(TierError::Kind::unreachable, "Proxmox API unreachable");
  };
  mongo->backup_steps["alpha"] = [](const auto&, const auto&) {
    return testing_support::ok_backup("backup-1", {"much smaller than the previous one"});
  };
  agent::RunOptions only_alpha;
  only_alpha.target = "alpha";
  const auto r = run(only_alpha);
  std::ostringstream out, err;
  agent::StreamOutput output(out, err);
  agent::TextReporter(output).summary(r.steps);
  EXPECT_EQ(out.str(),
            "TARGET          TIER    STEP    RESULT   DETAIL\n"
            "alpha           vzdump  backup  FAILED   Proxmox API unreachable\n"
            "alpha           mongo   backup  warning  made backup-1\n"
            "                                         warning: much smaller than the previous one\n"
            "alpha           mongo   prune   ok       kept 1\n");
}

}  // namespace
