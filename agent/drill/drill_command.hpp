#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "agent/config/config.hpp"
#include "agent/core/output.hpp"
#include "agent/drill/drill_runner.hpp"

// `pve-smokerbak drill`: restore drills of the configured targets' tiers (docs/operator-guide.md
// "Restore drills"). Takes the run lock; appends each drill's record to its history
// (drill_record.hpp), which `status` shows; prints a table (or --json) with each step's duration.
// Exit codes: 0 every drill verified its copy, 1 a drill failed, 2 usage or configuration (no
// drill configured for what was asked), 75 another run holds the lock.
namespace agent::drill {

struct DrillCommandOptions {
  std::string target;        // "" = every target with a drill section
  std::string tier = "all";  // vzdump | mongo | all
  std::string backup;        // a vzdump volid or mongo backup id; "" = the newest verified
  bool dry_run = false;
  bool json = false;
  DrillFrom from;  // --from local|offsite, --destination, --identity
};

// `now`: epoch seconds (the drill id, started_at).
int drill_command(const Config& config, const DrillCommandOptions& options, const DrillDeps& deps,
                  std::int64_t now, Output& out);

}  // namespace agent::drill
