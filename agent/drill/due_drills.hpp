#pragma once

#include <cstdint>
#include <functional>

#include "agent/drill/drill_runner.hpp"
#include "agent/tier/after_backups.hpp"

// The restore drills `run` performs after a target's backups (drill.in_run): for each tier of
// the target with a drill section whose backup this run made without failing, the drill of
// that tier when it is due (drill_schedule: drill.every after the last successful drill, 20 h
// after a failed one, at once when there was none). Not due: nothing (not even a summary
// line). Due but the tier's backup failed: a skipped line, no drill. In a dry run: what the
// drill would do, nothing changed. Otherwise the drill runs like `drill` (the newest verified
// backup, which is this run's), its record is kept for `status`, and a failed drill is a failed
// step of the run; the backups are never touched by it.
namespace agent::drill {

class DueDrills final : public AfterBackups {
 public:
  // `now`: epoch seconds (when a drill is due, and its id).
  DueDrills(DrillDeps deps, std::function<std::int64_t()> now)
      : m_deps(std::move(deps)), m_now(std::move(now)), m_runner(m_deps) {}

  std::vector<AfterBackupsStep> after_target(const TargetConfig& target,
                                             const std::vector<BackupDone>& backups,
                                             const RunContext& ctx) override;

 private:
  DrillDeps m_deps;
  std::function<std::int64_t()> m_now;
  DrillRunner m_runner;
};

}  // namespace agent::drill
