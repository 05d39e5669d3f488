#include "agent/drill/due_drills.hpp"

#include <spdlog/spdlog.h>

namespace agent::drill {
namespace {

bool drill_configured(const TargetConfig& t, TierName tier) {
  if (!t.drill) return false;
  if (tier == TierName::vzdump) return t.vzdump && t.drill->vzdump;
  if (tier == TierName::mongo) return t.mongo && t.drill->mongo;
  return false;
}

std::string date_text(std::int64_t epoch) { return drill_stamp(epoch).substr(0, 8); }

// "RTO 3.53 s (fetch 0.01 s, restore 1.76 s, boot 1.76 s) restoring <backup>".
std::string rto_summary(const DrillRecord& r) {
  std::string steps;
  for (const auto& s : r.steps) {
    if (s.name == "cleanup") continue;
    steps += (steps.empty() ? "" : ", ") + s.name + " " + seconds_text(s.seconds);
  }
  return "restore drill: RTO " + seconds_text(r.rto_s) + " (" + steps + ") of " + r.backup_id;
}

}  // namespace

std::vector<AfterBackupsStep> DueDrills::after_target(const TargetConfig& target,
                                                      const std::vector<BackupDone>& backups,
                                                      const RunContext& ctx) {
  std::vector<AfterBackupsStep> steps;
  if (!target.drill || !target.drill->in_run) return steps;
  const std::int64_t now = m_now();
  for (const auto& b : backups) {
    if (!drill_configured(target, b.tier)) continue;
    const auto history = load_drill_history(ctx.config.state_dir, target.name, b.tier);
    const auto schedule = drill_schedule(history, target.drill->every_s);
    if (now < schedule.due_at) {
      spdlog::debug("{}/{}: restore drill not due until {}", target.name, to_string(b.tier),
                    date_text(schedule.due_at));
      continue;
    }
    if (b.state == TierState::failed) {
      steps.push_back({b.tier, skipped_outcome("restore drill due, not run: this run's backup "
                                               "failed (the next run drills once one succeeds)")});
      continue;
    }
    DrillContext dc{.config = ctx.config,
                    .drill_id = drill_stamp(now),
                    .started_at = now,
                    .run_id = ctx.run_id,
                    .dry_run = ctx.dry_run,
                    .steady = [] { return std::chrono::steady_clock::now(); },
                    .progress = [](const std::string& line) { spdlog::info("drill {}", line); }};
    DrillOutcome out = m_runner.run(dc, target, b.tier, "");
    DrillRecord& r = out.record;
    if (ctx.dry_run) {
      std::string plan;
      for (const auto& p : out.plan) plan += (plan.empty() ? "" : "; ") + p;
      steps.push_back(
          {b.tier, skipped_outcome(r.error.empty()
                                       ? "dry run: a restore drill is due and would run: " + plan
                                       : "dry run: a restore drill is due; now it would fail: " +
                                             r.error)});
      continue;
    }
    if (auto err = append_drill_record(ctx.config.state_dir, r)) {
      r.warnings.push_back("the drill record was not kept: " + *err);
    }
    TierOutcome o;
    if (r.ok) {
      o.state = state_for(r.warnings);
      o.summary = rto_summary(r);
      o.warnings = r.warnings;
    } else {
      o = failed_outcome(
          TierError{r.error_kind.value_or(TierError::Kind::internal),
                    "restore drill of " + (r.backup_id.empty() ? "no backup" : r.backup_id) +
                        " failed: " + r.error + " (the backups are untouched)"},
          r.warnings);
    }
    o.backup_id = r.backup_id;
    steps.push_back({b.tier, std::move(o)});
  }
  return steps;
}

}  // namespace agent::drill
