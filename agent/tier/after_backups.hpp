#pragma once

#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/tier/run_context.hpp"
#include "agent/tier/tier_name.hpp"
#include "agent/tier/tier_outcome.hpp"

// Work a run does for a target once its tiers' backups are done: the restore drills that are
// due (agent/drill/due_drills.hpp; cli/wiring.cpp builds it, so agent/run never depends on the
// drill module). Called once per target after every selected tier's backup and prune, never by
// `prune`; it must not touch the backups.
namespace agent {

// What one tier's backup of the target came to in this run.
struct BackupDone {
  TierName tier = TierName::vzdump;
  TierState state = TierState::ok;
  std::string backup_id;  // "" when none was made
};

// One line of the run's summary ("drill" step): ok / warning / failed, or skipped with the
// reason; in a dry run, what would be done.
struct AfterBackupsStep {
  TierName tier = TierName::vzdump;
  TierOutcome outcome;
};

class AfterBackups {
 public:
  virtual ~AfterBackups() = default;
  // `backups`: this run's backup of each selected tier of `target`, in order. An exception is
  // a bug; the run turns it into a failed step of kind internal.
  virtual std::vector<AfterBackupsStep> after_target(const TargetConfig& target,
                                                     const std::vector<BackupDone>& backups,
                                                     const RunContext& ctx) = 0;
};

}  // namespace agent
