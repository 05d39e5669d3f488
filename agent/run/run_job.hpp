#pragma once

#include <iosfwd>

#include "agent/config/config.hpp"
#include "agent/core/clock.hpp"
#include "agent/run/run_options.hpp"

namespace agent {

// The timer's job (`run`) and `prune`, for every selected target and tier:
//   take the run lock -> reconcile what a killed run left -> per target: vzdump tier, mongo tier
//   (sharing the run id) -> retention per tier whose backup succeeded -> tier records ->
//   metrics -> close the journal.
// One tier failing never skips the other, and a tier whose backup failed is not pruned.
// Prints a summary table to `out`; returns the process exit code (agent::exit_code).
int execute_run(const Config& config, const RunOptions& options, const Clock& clock,
                std::ostream& out);

}  // namespace agent
