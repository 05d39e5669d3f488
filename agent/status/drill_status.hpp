#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/status/tier_health.hpp"
#include "agent/tier/drill_record.hpp"

// The restore drills in `status`: the last drill of a tier, its RTO trend, when the next is due,
// and what that means for the tier's health: WARNING when a drill is overdue, CRITICAL when the
// last drill failed (drill.every; drill_record.hpp drill_schedule).
namespace agent {

inline constexpr std::size_t k_drill_trend = 5;  // RTOs shown in the table

struct DrillStatus {
  std::vector<DrillRecord> history;  // oldest first
  std::optional<DrillRecord> last;
  DrillSchedule schedule;
  Health health = Health::ok;
  std::vector<std::string> reasons;
};

// nullopt when the target has no drill configured for `tier`.
std::optional<DrillStatus> judge_drills(const Config& config, const TargetConfig& target,
                                        TierName tier, std::int64_t now);

// "RTO 12.3 s (trend 11.0, 12.1, 12.3 s), next due 2026-03-01" or "never drilled".
std::string drill_summary_text(const DrillStatus& status);

}  // namespace agent
