#pragma once

#include <string>

#include "agent/config/config.hpp"
#include "agent/tier/tier.hpp"

// The restore drills' metrics (docs/metrics.md), appended to the textfile after the tiers':
//   pve_smokerbak_drill_last_success_timestamp_seconds{target,tier}  start of the last drill
//     that verified its copy (0 = never)
//   pve_smokerbak_drill_last_success{target,tier}  1 if the last drill verified its copy, else 0
//   pve_smokerbak_drill_duration_seconds{target,tier,step}  each step of the last drill, and
//     step="rto" for the time to a verified copy
// Only tiers with a drill configured appear.
namespace agent {

std::string render_drill_metrics(const Config& config);

// Rewrites config.metrics_file with the tiers' records and the drills (what `run` writes);
// used by `drill` after its drills. Error text on failure.
std::optional<std::string> refresh_metrics_file(const Config& config, const TierSet& tiers);

}  // namespace agent
