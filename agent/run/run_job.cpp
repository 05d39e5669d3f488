#include "agent/run/run_job.hpp"

#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "agent/core/exit_codes.hpp"
#include "agent/core/run_lock.hpp"
#include "agent/run/drill_metrics.hpp"
#include "agent/run/metrics.hpp"
#include "agent/run/run_event_data.hpp"
#include "agent/run/run_id.hpp"
#include "agent/run/run_journal.hpp"
#include "agent/tier/tier_record.hpp"

namespace agent {
namespace {

// An exception escaping a tier is a bug; it fails that tier's step, not the run.
TierOutcome guarded(TierName tier, const char* what, const std::function<TierOutcome()>& step) {
  std::string why;
  try {
    return step();
  } catch (const std::exception& e) {
    why = e.what();
  } catch (...) {
    why = "an exception that is not a std::exception";
  }
  spdlog::error("internal error in the {} tier during {}: {}", to_string(tier), what, why);
  return failed_outcome(
      {TierError::Kind::internal, "internal error in the " + std::string(to_string(tier)) +
                                      " tier during " + what + ": " + why +
                                      " (a bug in pve-smokerbak: please report it with the log)"});
}

// Tells the operator what a killed run left behind and lets each tier clean up after it.
void reconcile_killed_run(const Config& config, TierSet& tiers, Reporter& reporter) {
  const auto entries = RunJournal::read_unfinished(config.state_dir);
  if (entries.empty()) return;
  ReconcileReport report;
  report.run_id = entries.front().run_id;
  report.pid = entries.front().pid;
  spdlog::warn("previous run {} (PID {}) was interrupted; reconciling", report.run_id, report.pid);
  // The last step per (target, tier) tells what was in progress.
  std::map<std::pair<std::string, TierName>, const JournalEntry*> last;
  for (const auto& e : entries) {
    if (e.tier) last[{e.target, *e.tier}] = &e;
  }
  for (const auto& [key, entry] : last) {
    if (entry->step == JournalStep::done) continue;
    ReconcileReport::Interrupted item{key.first, key.second, entry->step, entry->detail, {}};
    const TargetConfig* target = config.find_target(key.first);
    Tier* tier = tiers.find(key.second);
    if (target && tier && tier->configured(*target)) {
      try {
        item.actions = tier->reconcile(*target, entry->step, entry->detail);
      } catch (const std::exception& e) {
        item.actions.push_back(std::string("cleaning up failed: internal error: ") + e.what());
      }
      for (const auto& action : item.actions) {
        spdlog::info("reconcile {}/{}: {}", key.first, to_string(key.second), action);
      }
    }
    report.tiers.push_back(std::move(item));
  }
  reporter.reconciled(report);
}

// Everything one run needs besides the tiers: the options, the run's identity, the journal,
// and what it produced so far.
struct Run {
  const Config& config;
  const RunOptions& options;
  Reporter& reporter;
  std::string run_id;
  std::chrono::system_clock::time_point start;
  std::int64_t start_epoch = 0;
  RunJournal* journal = nullptr;
  std::vector<StepResult> steps;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One tier on one target: backup, prune unless the backup failed, the tier record.
void run_tier(Run& run, Tier& tier, const TargetConfig& target, RunContext& ctx) {
  const TierName name = tier.name();
  const auto tier_start = std::chrono::steady_clock::now();
  std::unique_ptr<TierRun> work;
  TierOutcome backup = guarded(name, "setup", [&] {
    work = tier.begin(target, ctx);
    if (!work) throw std::logic_error("Tier::begin() returned no run");
    return TierOutcome{};
  });
  if (work && !run.options.prune_only) {
    if (run.journal) run.journal->record(target.name, name, JournalStep::backup);
    backup = guarded(name, "backup", [&] { return work->backup(); });
  }
  if (!run.options.prune_only || backup.state == TierState::failed) {
    run.steps.push_back(
        {target.name, name, StepResult::Step::backup, backup, seconds_since(tier_start)});
  }
  if (backup.state != TierState::failed && !backup.backup_id.empty()) {
    ctx.made[name] = backup.backup_id;  // for the tiers after this one
  }
  std::optional<TierOutcome> prune;
  if (!run.options.no_prune) {
    if (backup.state == TierState::failed) {
      spdlog::warn(
          "{}/{}: retention skipped because the backup failed (no valid backup is removed after a "
          "failed run)",
          target.name, to_string(name));
    } else {
      if (run.journal) run.journal->record(target.name, name, JournalStep::prune);
      const auto prune_start = std::chrono::steady_clock::now();
      prune = guarded(name, "prune", [&] { return work->prune(); });
      if (run.options.dry_run && prune->plan) {
        run.reporter.prune_plan(target.name, name, *prune->plan);
      }
      run.steps.push_back(
          {target.name, name, StepResult::Step::prune, *prune, seconds_since(prune_start)});
    }
  }
  if (run.journal) run.journal->record(target.name, name, JournalStep::done);
  if (run.options.dry_run) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - tier_start).count();
  TierRecord record = load_tier_record(run.config.state_dir, target.name, name);
  if (run.options.prune_only && backup.state != TierState::failed) {
    if (prune) apply_retention(record, *prune);
  } else {
    apply_outcome(record, run.run_id, run.start_epoch, seconds, backup, prune);
  }
  if (auto err = save_tier_record(run.config.state_dir, record)) spdlog::warn("{}", *err);
}

// The work after a target's backups (due drills), each step in the summary.
void run_after_backups(Run& run, AfterBackups& after, const TargetConfig& target,
                       const RunContext& ctx) {
  std::vector<BackupDone> backups;
  for (const auto& s : run.steps) {
    if (s.target == target.name && s.step == StepResult::Step::backup) {
      backups.push_back({s.tier, s.outcome.state, s.outcome.backup_id});
    }
  }
  std::vector<AfterBackupsStep> done;
  const TierOutcome outcome = guarded(TierName::vzdump, "the drills after the backups", [&] {
    done = after.after_target(target, backups, ctx);
    return TierOutcome{};
  });
  if (outcome.state == TierState::failed) {
    run.steps.push_back({target.name, TierName::vzdump, StepResult::Step::drill, outcome});
  }
  for (auto& d : done) {
    run.steps.push_back({target.name, d.tier, StepResult::Step::drill, std::move(d.outcome)});
  }
}

// The metrics file covers every configured target and tier, not only this run's.
void write_metrics(const Config& config, const TierSet& tiers) {
  std::vector<TierRecord> all;
  for (const auto& t : config.targets) {
    for (const auto& tier : tiers.all()) {
      if (tier->configured(t))
        all.push_back(load_tier_record(config.state_dir, t.name, tier->name()));
    }
  }
  std::string extra = render_drill_metrics(config);
  for (const auto& tier : tiers.all()) extra += tier->extra_metrics();
  if (auto err = write_metrics_file(config.metrics_file, all, extra)) {
    spdlog::warn("metrics not written: {}", *err);
  }
}

std::string target_names(const Config& config) {
  std::string names;
  for (const auto& t : config.targets) names += (names.empty() ? "" : ", ") + t.name;
  return names.empty() ? std::string("none") : names;
}

}  // namespace

int exit_code_of(const std::vector<StepResult>& steps) {
  bool warned = false;
  std::optional<int> failed;
  for (const auto& s : steps) {
    if (s.outcome.state == TierState::failed) {
      const int code =
          exit_code_for(s.outcome.error ? s.outcome.error->kind : TierError::Kind::internal);
      failed = failed ? std::min(*failed, code) : code;
    }
    warned = warned || s.outcome.state == TierState::warning || !s.outcome.warnings.empty();
  }
  if (failed) return *failed;
  return warned ? exit_code::k_warnings : exit_code::k_success;
}

RunResult execute_run(const Config& config, const RunOptions& options, TierSet& tiers,
                      const Clock& clock, Reporter& reporter, RunEvents* events,
                      AfterBackups* after) {
  const auto steady_start = std::chrono::steady_clock::now();
  RunResult result;
  std::vector<const TargetConfig*> targets;
  for (const auto& t : config.targets) {
    if (options.target.empty() || t.name == options.target) targets.push_back(&t);
  }
  if (targets.empty()) {
    result.refused = "no target named '" + options.target + "' in " + config.source_file.string() +
                     "; configured: " + target_names(config);
    spdlog::error("{}", result.refused);
    result.exit_code = exit_code::k_usage;
    return result;
  }

  std::optional<RunLock> lock;
  if (!options.dry_run) {
    auto acquired = RunLock::acquire(config.state_dir);
    if (!acquired) {
      result.refused = acquired.error().message;
      spdlog::error("{}", result.refused);
      result.exit_code = acquired.error().kind == RunLockError::Kind::held ? exit_code::k_locked
                                                                           : exit_code::k_failure;
      return result;
    }
    lock.emplace(std::move(*acquired));
  }

  Run run{config, options, reporter, {}, clock.now(), 0, nullptr, {}};
  run.run_id = make_run_id(run.start);
  run.start_epoch =
      std::chrono::duration_cast<std::chrono::seconds>(run.start.time_since_epoch()).count();
  spdlog::info("{} {} (run {})", options.prune_only ? "prune" : "run",
               options.dry_run ? "dry-run: nothing will be changed" : "started", run.run_id);

  std::optional<RunJournal> journal;
  if (!options.dry_run) {
    reconcile_killed_run(config, tiers, reporter);
    auto begun = RunJournal::begin(config.state_dir, run.run_id, clock);
    if (!begun) {
      result.refused =
          begun.error() + "; check that state_dir (" + config.state_dir.string() + ") is writable";
      spdlog::error("{}", result.refused);
      result.exit_code = exit_code::k_failure;
      return result;
    }
    journal.emplace(std::move(*begun));
    run.journal = &*journal;
  }
  if (events) {
    result.events = events->run_started(
        run_event_data(run.run_id, options.dry_run, run.start_epoch, 0, nullptr, 0));
  }

  for (const TargetConfig* target : targets) {
    RunContext ctx{config,           run.run_id,  run.start, options.dry_run,
                   options.no_prune, run.journal, {}};
    for (const auto& tier : tiers.all()) {
      if (options.tier && *options.tier != tier->name()) continue;
      if (!tier->configured(*target)) continue;
      run_tier(run, *tier, *target, ctx);
    }
    if (after && !options.prune_only) run_after_backups(run, *after, *target, ctx);
  }

  if (!options.dry_run) write_metrics(config, tiers);
  if (journal) journal->finish();
  result.exit_code = exit_code_of(run.steps);
  if (events) {  // never changes the exit code: a failed ping is reported, not fatal
    auto end = events->run_finished(run_event_data(run.run_id, options.dry_run, run.start_epoch,
                                                   seconds_since(steady_start), &run.steps,
                                                   result.exit_code));
    result.events.insert(result.events.end(), end.begin(), end.end());
  }
  reporter.summary(run.steps);
  if (events) reporter.events(result.events);
  result.steps = std::move(run.steps);
  return result;
}

}  // namespace agent
