// The run's events through the RunEvents seam (a fake here; agent/events/ is tested over real
// HTTP in tests/agent_events/): what the run hands over and when, and that whatever became of
// the events, the exit code is the backups' alone.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "agent/core/exit_codes.hpp"
#include "agent/core/run_lock.hpp"
#include "agent/run/run_event_data.hpp"
#include "agent/run/run_job.hpp"
#include "tests/support/fake_run_events.hpp"
#include "tests/support/fake_tier.hpp"
#include "tests/support/manual_clock.hpp"

namespace {

namespace fs = std::filesystem;
using agent::EventDelivery;
using agent::TierError;
using agent::TierName;
using testing_support::FakeRunEvents;
using testing_support::FakeTier;

constexpr std::int64_t k_start = 1767229200;  // 2026-01-01T01:00:00Z

class RunEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("run_events_test." + std::to_string(::getpid()) + "." +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    config.state_dir = m_dir / "state";
    config.metrics_file = m_dir / "metrics.prom";
    config.source_file = m_dir / "config.yaml";
    agent::TargetConfig t;
    t.name = "smoker";
    t.vmid = 106;
    config.targets.push_back(t);
    auto vz = std::make_unique<FakeTier>(TierName::vzdump);
    auto mg = std::make_unique<FakeTier>(TierName::mongo);
    vzdump = vz.get();
    mongo = mg.get();
    tiers.add(std::move(vz));
    tiers.add(std::move(mg));
  }
  void TearDown() override { fs::remove_all(m_dir); }

  agent::RunResult run(agent::RunOptions options = {}) {
    return agent::execute_run(config, options, tiers, clock, reporter, &events);
  }

  fs::path m_dir;
  agent::Config config;
  agent::TierSet tiers;
  FakeTier* vzdump = nullptr;
  FakeTier* mongo = nullptr;
  agent::ManualClock clock{std::chrono::system_clock::from_time_t(k_start)};
  testing_support::RecordingReporter reporter;
  FakeRunEvents events;
};

TEST_F(RunEvents, AGoodRunSendsStartThenSuccessWithEveryStep) {
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_success);
  ASSERT_EQ(events.calls.size(), 2u);
  EXPECT_EQ(events.calls[0].result, "start");
  EXPECT_TRUE(events.calls[0].steps.empty());
  EXPECT_EQ(events.calls[0].run_id, "20260101T010000Z");
  EXPECT_EQ(events.calls[0].started_epoch, k_start);
  const auto& end = events.calls[1];
  EXPECT_EQ(end.result, "success");
  EXPECT_EQ(end.exit_code, 0);
  EXPECT_EQ(end.run_id, "20260101T010000Z");
  ASSERT_EQ(end.steps.size(), 4u);
  EXPECT_EQ(end.steps[0].target, "smoker");
  EXPECT_EQ(end.steps[0].tier, "vzdump");
  EXPECT_EQ(end.steps[0].step, "backup");
  EXPECT_EQ(end.steps[0].result, "ok");
  EXPECT_EQ(end.steps[0].backup_id, "vzdump-smoker-20260101T010000Z");
  EXPECT_EQ(end.steps[3].tier, "mongo");
  EXPECT_EQ(end.steps[3].step, "prune");
  EXPECT_TRUE(end.steps[3].backup_id.empty()) << "a prune step made no backup";
}

TEST_F(RunEvents, AFailedTierSendsFailWithItsErrorKind) {
  mongo->backup_steps["smoker"] = [](const auto&, const auto&) {
    return testing_support::failed(TierError::Kind::unreachable, "ssh to 10.0.0.5 timed out");
  };
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_failure);
  ASSERT_EQ(events.calls.size(), 2u);
  EXPECT_EQ(events.calls[1].result, "fail");
  EXPECT_EQ(events.calls[1].exit_code, agent::exit_code::k_failure);
  bool seen = false;
  for (const auto& s : events.calls[1].steps) {
    if (s.tier == "mongo" && s.step == "backup") {
      seen = true;
      EXPECT_EQ(s.result, "failed");
      EXPECT_EQ(s.error_kind, "unreachable");
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(RunEvents, WarningsStillCountAsSuccess) {
  mongo->backup_steps["smoker"] = [](const auto&, const auto&) {
    return testing_support::ok_backup("b", {"The dump is much smaller than the last."});
  };
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_warnings);
  ASSERT_EQ(events.calls.size(), 2u);
  EXPECT_EQ(events.calls[1].result, "success");
  EXPECT_EQ(events.calls[1].exit_code, agent::exit_code::k_warnings);
}

TEST_F(RunEvents, FailedDeliveriesAreReportedButNeverChangeTheExitCode) {
  events.on_start = {{"start ping", "https://hc-ping.com/…", EventDelivery::State::failed, 3, 10.0,
                      500, "the receiver answered HTTP 500"}};
  events.on_finish = {{"success ping", "https://hc-ping.com/…", EventDelivery::State::failed, 1,
                       10.0, 0, "timed out"}};
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_success);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].what, "start ping");
  EXPECT_EQ(r.events[1].what, "success ping");
  ASSERT_EQ(reporter.event_reports.size(), 1u) << "reported once, after the summary";
  EXPECT_EQ(reporter.event_reports[0].size(), 2u);
  const std::string text = agent::render_event_deliveries(r.events);
  EXPECT_NE(text.find("start ping to https://hc-ping.com/…: FAILED after 3 attempts in 10.0 s: "
                      "the receiver answered HTTP 500 (the backups are not affected)"),
            std::string::npos)
      << text;
}

TEST_F(RunEvents, ADryRunHandsTheEventsOverMarkedDry) {
  agent::RunOptions o;
  o.dry_run = true;
  run(o);
  ASSERT_EQ(events.calls.size(), 2u);
  EXPECT_TRUE(events.calls[0].dry_run);
  EXPECT_TRUE(events.calls[1].dry_run);
}

TEST_F(RunEvents, ARunThatCannotTakeTheLockSendsNothing) {
  auto held = agent::RunLock::acquire(config.state_dir);
  ASSERT_TRUE(held) << held.error().message;
  const auto r = run();
  EXPECT_EQ(r.exit_code, agent::exit_code::k_locked);
  EXPECT_TRUE(events.calls.empty()) << "the run that holds the lock pings for itself";
}

}  // namespace
