#include "agent/run/run_job.hpp"

#include <chrono>
#include <iomanip>
#include <memory>
#include <ostream>
#include <vector>

#include <spdlog/spdlog.h>

#include "agent/core/exit_codes.hpp"
#include "agent/core/run_lock.hpp"
#include "agent/run/metrics.hpp"
#include "agent/run/run_id.hpp"
#include "agent/run/run_journal.hpp"
#include "agent/run/tier.hpp"
#include "agent/run/tier_record.hpp"

namespace agent {
namespace {

const char* k_tiers[] = {"vzdump", "mongo"};

bool tier_configured(const TargetConfig& t, const std::string& tier) {
  return tier == "vzdump" ? t.vzdump.has_value() : t.mongo.has_value();
}

std::unique_ptr<Tier> make_tier(const Config& config, const std::string& tier) {
  return tier == "vzdump" ? make_vzdump_tier(config) : make_mongo_tier(config);
}

// Tells the operator what a killed run left behind and lets each tier clean up after it.
void reconcile_killed_run(const Config& config, std::ostream& out) {
  const auto entries = RunJournal::read_unfinished(config.state_dir);
  if (entries.empty()) return;
  const auto& first = entries.front();
  out << "Previous run " << first.run_id << " (PID " << first.pid
      << ") did not finish; reconciling what it left:\n";
  spdlog::warn("previous run {} (PID {}) was interrupted; reconciling", first.run_id, first.pid);
  // The last step per (target, tier) tells what was in progress.
  std::map<std::pair<std::string, std::string>, const JournalEntry*> last;
  for (const auto& e : entries) {
    if (!e.tier.empty()) last[{e.target, e.tier}] = &e;
  }
  for (const auto& [key, entry] : last) {
    if (entry->step == "done") continue;
    const TargetConfig* target = config.find_target(key.first);
    out << "  " << key.first << "/" << key.second << ": interrupted at step '" << entry->step << "'"
        << (entry->detail.empty() ? "" : " (" + entry->detail + ")") << "\n";
    if (!target) continue;
    auto tier = make_tier(config, key.second);
    if (!tier) continue;
    for (const auto& action : tier->reconcile(*target, entry->step, entry->detail)) {
      out << "    " << action << "\n";
      spdlog::info("reconcile {}/{}: {}", key.first, key.second, action);
    }
  }
}

struct Row {
  std::string target, tier, what;
  TierOutcome outcome;
};

}  // namespace

int execute_run(const Config& config, const RunOptions& options, const Clock& clock,
                std::ostream& out) {
  std::vector<const TargetConfig*> targets;
  for (const auto& t : config.targets) {
    if (options.target.empty() || t.name == options.target) targets.push_back(&t);
  }
  if (targets.empty()) {
    out.flush();
    spdlog::error("no target named '{}' in {}; configured: {}", options.target,
                  config.source_file.string(), [&] {
                    std::string names;
                    for (const auto& t : config.targets)
                      names += (names.empty() ? "" : ", ") + t.name;
                    return names.empty() ? std::string("none") : names;
                  }());
    return exit_code::k_usage;
  }

  std::optional<RunLock> lock;
  if (!options.dry_run) {
    auto acquired = RunLock::acquire(config.state_dir);
    if (!acquired) {
      spdlog::error("{}", acquired.error().message);
      return acquired.error().kind == RunLockError::Kind::held ? exit_code::k_locked
                                                               : exit_code::k_failure;
    }
    lock.emplace(std::move(*acquired));
  }

  const auto start = clock.now();
  const std::string run_id = make_run_id(start);
  const std::int64_t start_epoch =
      std::chrono::duration_cast<std::chrono::seconds>(start.time_since_epoch()).count();
  spdlog::info("{} {} (run {})", options.prune_only ? "prune" : "run",
               options.dry_run ? "dry-run: nothing will be changed" : "started", run_id);

  std::optional<RunJournal> journal;
  if (!options.dry_run) {
    reconcile_killed_run(config, out);
    auto begun = RunJournal::begin(config.state_dir, run_id, clock);
    if (!begun) {
      spdlog::error("{}; check that state_dir ({}) is writable", begun.error(),
                    config.state_dir.string());
      return exit_code::k_failure;
    }
    journal.emplace(std::move(*begun));
  }

  std::vector<Row> rows;
  std::vector<TierRecord> records;
  for (const TargetConfig* target : targets) {
    RunContext ctx{config, run_id, start, options.dry_run, options.no_prune, nullptr, {}};
    ctx.journal = journal ? &*journal : nullptr;
    for (const std::string tier_name : k_tiers) {
      if (options.tier != "all" && options.tier != tier_name) continue;
      if (!tier_configured(*target, tier_name)) continue;
      auto tier = make_tier(config, tier_name);
      if (!tier) {
        TierOutcome o;
        o.state = TierState::skipped;
        o.summary = "tier not available in this build";
        rows.push_back({target->name, tier_name, "backup", o});
        continue;
      }
      const auto tier_start = std::chrono::steady_clock::now();
      TierOutcome backup;
      if (options.prune_only) {
        backup.state = TierState::ok;
      } else {
        if (journal) journal->record(target->name, tier_name, "backup");
        backup = tier->backup(*target, ctx);
        if (tier_name == std::string("vzdump") && backup.state != TierState::failed) {
          ctx.vzdump_volid = backup.backup_id;
        }
        rows.push_back({target->name, tier_name, "backup", backup});
      }
      std::optional<TierOutcome> prune;
      if (!options.no_prune) {
        if (backup.state == TierState::failed) {
          spdlog::warn(
              "{}/{}: retention skipped because the backup failed (no valid backup is "
              "removed after a failed run)",
              target->name, tier_name);
        } else {
          if (journal) journal->record(target->name, tier_name, "prune");
          prune = tier->prune(*target, ctx);
          rows.push_back({target->name, tier_name, "prune", *prune});
        }
      }
      if (journal) journal->record(target->name, tier_name, "done");
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - tier_start).count();
      if (!options.dry_run) {
        TierRecord record = load_tier_record(config.state_dir, target->name, tier_name);
        if (options.prune_only) {
          if (prune) apply_retention(record, *prune);
        } else {
          apply_outcome(record, run_id, start_epoch, seconds, backup, prune);
        }
        if (auto err = save_tier_record(config.state_dir, record)) spdlog::warn("{}", *err);
        records.push_back(std::move(record));
      }
    }
  }

  if (!options.dry_run) {
    // The metrics file covers every configured target and tier, not only this run's.
    std::vector<TierRecord> all;
    for (const auto& t : config.targets) {
      for (const std::string tier_name : k_tiers) {
        if (tier_configured(t, tier_name)) {
          all.push_back(load_tier_record(config.state_dir, t.name, tier_name));
        }
      }
    }
    if (auto err = write_metrics_file(config.metrics_file, all)) {
      spdlog::warn("metrics not written: {}", *err);
    }
  }
  if (journal) journal->finish();

  bool failed = false, warned = false;
  out << std::left << std::setw(16) << "TARGET" << std::setw(8) << "TIER" << std::setw(8) << "STEP"
      << std::setw(9) << "RESULT"
      << "DETAIL\n";
  for (const auto& row : rows) {
    const auto& o = row.outcome;
    failed = failed || o.state == TierState::failed;
    warned = warned || o.state == TierState::warning || !o.warnings.empty();
    std::string detail = o.state == TierState::failed ? o.error : o.summary;
    out << std::left << std::setw(16) << row.target << std::setw(8) << row.tier << std::setw(8)
        << row.what << std::setw(9)
        << (o.state == TierState::failed ? "FAILED" : to_string(o.state)) << detail << "\n";
    for (const auto& w : o.warnings) out << std::string(41, ' ') << "warning: " << w << "\n";
  }
  if (rows.empty()) out << "(nothing to do: no selected target has the selected tier)\n";
  if (failed) return exit_code::k_failure;
  if (warned) return exit_code::k_warnings;
  return exit_code::k_success;
}

}  // namespace agent
