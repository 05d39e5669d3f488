// Due restore drills in `run` (drill.in_run) against the Proxmox simulator: the orchestrator
// with the real vzdump tier and the drills after the backups (agent/drill/due_drills.hpp, built
// as cli/wiring.cpp builds it). A due drill runs after a successful backup and is recorded and
// summarised; one not due does not run; a failed backup is never drilled; a failed drill fails
// the run (exit 1) and leaves the backups alone; a dry run only says what it would do.
#include "agent/drill/due_drills.hpp"
#include "agent/run/reporter.hpp"
#include "agent/run/run_job.hpp"
#include "agent/vzdump/notes.hpp"
#include "tests/agent_drill/vzdump_drill_fixture.hpp"

namespace agent {
namespace {

using drill_testing::k_scratch;

class RunDrillTest : public drill_testing::VzdumpDrillTest {
 protected:
  struct Ran {
    RunResult result;
    std::string text;
  };

  Ran run(bool dry_run = false) {
    VzdumpTierOptions o;
    o.first_poll = std::chrono::milliseconds(5);
    o.max_poll = std::chrono::milliseconds(20);
    TierSet tiers;
    tiers.add(std::make_unique<VzdumpTier>(
        config, [this] { return make_api_client(config, clock); }, o));
    drill::DrillDeps deps;
    deps.api = [this] { return make_api_client(config, clock); };
    deps.vzdump.first_poll = std::chrono::milliseconds(5);
    deps.vzdump.max_poll = std::chrono::milliseconds(20);
    deps.vzdump.boot_poll = std::chrono::milliseconds(20);
    drill::DueDrills after(deps, [this] { return now_offset + sim->now(); });
    RunOptions run_options;
    run_options.dry_run = dry_run;
    std::ostringstream out, err;
    StreamOutput output(out, err);
    TextReporter reporter(output);
    Ran ran;
    ran.result = execute_run(config, run_options, tiers, clock, reporter, nullptr, &after);
    ran.text = out.str();
    return ran;
  }

  static const StepResult* drill_step(const RunResult& r) {
    for (const auto& s : r.steps) {
      if (s.step == StepResult::Step::drill) return &s;
    }
    return nullptr;
  }

  std::vector<DrillRecord> history() const {
    return load_drill_history(config.state_dir, "prod-cloud", TierName::vzdump);
  }

  std::int64_t now_offset = 0;
};

TEST_F(RunDrillTest, ADueDrillRunsAfterTheBackupIsRecordedAndSummarised) {
  start();
  const auto ran = run();
  ASSERT_EQ(ran.result.exit_code, 0) << ran.text;
  const StepResult* d = drill_step(ran.result);
  ASSERT_NE(d, nullptr) << ran.text;
  EXPECT_EQ(d->outcome.state, TierState::ok) << testing_support::why(d->outcome);
  // The drill came after the backup and prune of the tier, and drilled this run's archive.
  ASSERT_EQ(ran.result.steps.size(), 3u);
  EXPECT_EQ(ran.result.steps[0].step, StepResult::Step::backup);
  EXPECT_EQ(ran.result.steps[2].step, StepResult::Step::drill);
  EXPECT_EQ(d->outcome.backup_id, ran.result.steps[0].outcome.backup_id);
  EXPECT_NE(ran.text.find("drill   ok       restore drill: RTO "), std::string::npos) << ran.text;
  const auto h = history();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_TRUE(h[0].ok);
  EXPECT_FALSE(h[0].run_id.empty());
  EXPECT_EQ(h[0].backup_id, ran.result.steps[0].outcome.backup_id);
  EXPECT_EQ(posts("/nodes/pve1/lxc").size(), 1u);
  EXPECT_FALSE(sim->guest(k_scratch));
  EXPECT_TRUE(writes_to_production().empty());
}

TEST_F(RunDrillTest, ADrillThatIsNotDueDoesNotRun) {
  start();
  ASSERT_EQ(run().result.exit_code, 0);
  ASSERT_EQ(history().size(), 1u);
  now_offset = 3600;  // an hour later: the next drill is due in 90 days
  const auto ran = run();
  EXPECT_EQ(ran.result.exit_code, 0) << ran.text;
  EXPECT_EQ(drill_step(ran.result), nullptr) << ran.text;
  EXPECT_EQ(history().size(), 1u);
  EXPECT_EQ(posts("/nodes/pve1/lxc").size(), 1u);
  // Past drill.every it is due again.
  now_offset = 91 * 86400;
  const auto later = run();
  ASSERT_NE(drill_step(later.result), nullptr) << later.text;
  EXPECT_EQ(history().size(), 2u);
}

TEST_F(RunDrillTest, WithInRunOffTheRunNeverDrills) {
  start();
  config.targets[0].drill->in_run = false;
  const auto ran = run();
  EXPECT_EQ(ran.result.exit_code, 0) << ran.text;
  EXPECT_EQ(drill_step(ran.result), nullptr);
  EXPECT_TRUE(history().empty());
}

TEST_F(RunDrillTest, AFailedDrillFailsTheRunWithTheReasonAndLeavesTheBackupsAlone) {
  options.guests.push_back({k_scratch, "someone-elses", "pve1"});
  start();
  const auto ran = run();
  EXPECT_EQ(ran.result.exit_code, 1) << ran.text;
  const StepResult* d = drill_step(ran.result);
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->outcome.state, TierState::failed);
  EXPECT_EQ(d->outcome.error->kind, TierError::Kind::refused);
  EXPECT_NE(ran.text.find("drill   FAILED   restore drill of local:backup/vzdump-lxc-106-"),
            std::string::npos)
      << ran.text;
  EXPECT_NE(ran.text.find("refusing to touch the scratch vmid 9106"), std::string::npos)
      << ran.text;
  // The backup step succeeded and its archive is still there and recorded as the last success.
  EXPECT_EQ(ran.result.steps[0].outcome.state, TierState::ok);
  const auto volids = sim->volids("local");
  EXPECT_NE(std::find(volids.begin(), volids.end(), ran.result.steps[0].outcome.backup_id),
            volids.end());
  const auto record = load_tier_record(config.state_dir, "prod-cloud", TierName::vzdump);
  EXPECT_EQ(record.last_success_backup_id, ran.result.steps[0].outcome.backup_id);
  ASSERT_EQ(history().size(), 1u);
  EXPECT_FALSE(history()[0].ok);
  EXPECT_TRUE(sim->guest(k_scratch));  // the foreign guest is left alone
}

TEST_F(RunDrillTest, AFailedBackupIsNeverDrilled) {
  start();
  sim->inject(pvesim::Fault::of(pvesim::Fault::Kind::task_job_errors));
  const auto ran = run();
  EXPECT_EQ(ran.result.exit_code, 1) << ran.text;
  const StepResult* d = drill_step(ran.result);
  ASSERT_NE(d, nullptr) << ran.text;
  EXPECT_EQ(d->outcome.state, TierState::skipped);
  EXPECT_NE(d->outcome.summary.find("this run's backup failed"), std::string::npos);
  EXPECT_TRUE(posts("/nodes/pve1/lxc").empty());
  EXPECT_TRUE(history().empty());
}

TEST_F(RunDrillTest, DryRunSaysTheDueDrillWouldRunAndChangesNothing) {
  start();
  backup();  // an archive the dry run can name
  const auto before = sim->requests().size();
  const auto ran = run(true);
  EXPECT_EQ(ran.result.exit_code, 0) << ran.text;
  const StepResult* d = drill_step(ran.result);
  ASSERT_NE(d, nullptr) << ran.text;
  EXPECT_EQ(d->outcome.state, TierState::skipped);
  EXPECT_NE(d->outcome.summary.find("would run: would restore local:backup/vzdump-lxc-106-"),
            std::string::npos)
      << d->outcome.summary;
  EXPECT_NE(d->outcome.summary.find("into CT 9106"), std::string::npos);
  const auto all = sim->requests();
  for (std::size_t i = before; i < all.size(); ++i) EXPECT_EQ(all[i].method, "GET") << all[i].path;
  EXPECT_TRUE(history().empty());
}

}  // namespace
}  // namespace agent
