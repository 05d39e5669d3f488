#pragma once

#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/core/clock.hpp"
#include "agent/core/run_events.hpp"
#include "agent/run/reporter.hpp"
#include "agent/run/run_options.hpp"
#include "agent/tier/after_backups.hpp"
#include "agent/tier/tier.hpp"

// The timer's job (`run`) and `prune`, for every selected target and tier of `tiers`:
//   take the run lock -> reconcile what a killed run left -> per target, each tier in the
//   TierSet's order (sharing the run id): backup, then prune unless the backup failed ->
//   tier records -> the target's due drills (`after`, not in `prune`) -> metrics -> close the
//   journal -> summary.
// One tier failing never skips the other or the next target, a tier whose backup failed is
// not pruned, and an exception thrown by a tier becomes that tier's failure of kind internal.
namespace agent {

struct RunResult {
  int exit_code = 0;                  // the process exit code (agent::exit_code)
  std::vector<StepResult> steps;      // what each tier did, in order
  std::string refused;                // why the run did not start; empty when it ran
  std::vector<EventDelivery> events;  // the pings and webhook sent (never change exit_code)
};

// `events`: the pings and webhook of the run (agent/events/ through cli/wiring.cpp); nullptr:
// none. They are sent once the run holds its lock and after its last tier.
// `after`: work after each target's backups (the due restore drills); null = none.
RunResult execute_run(const Config& config, const RunOptions& options, TierSet& tiers,
                      const Clock& clock, Reporter& reporter, RunEvents* events = nullptr,
                      AfterBackups* after = nullptr);

// The exit code of a run whose steps ended so: a failure's kind decides (exit_code_for), else
// 3 when there were warnings, else 0.
int exit_code_of(const std::vector<StepResult>& steps);

}  // namespace agent
