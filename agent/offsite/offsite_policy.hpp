#pragma once

#include <cstdint>

#include "agent/config/config.hpp"
#include "agent/core/local_time.hpp"
#include "policies/retention_engine.hpp"

// The one retention policy, applied off-site (docs/offsite.md "Retention and Object Lock").
namespace agent::offsite {

// The target's policy, or the destination's override (which keeps at least as much: checked
// when the config is loaded).
const policies::RetentionPolicy& offsite_policy(const Config& config, const TargetConfig& target,
                                                const OffsiteDestination& destination);

// The time between two backups the policy implies: 1 h with keep-hourly, else 1 day.
std::int64_t backup_interval_s(const policies::RetentionPolicy& policy);

// The Object Lock a kept copy needs. `required`: retain-until must be at least this; when it is
// less, the lock is set (extended) to `extend_to`.
struct LockPlan {
  std::int64_t required = 0;
  std::int64_t extend_to = 0;
};

// For a copy of a backup made at `ctime` that the policy keeps with `decision`, judged at
// `now`: the moment the rule that keeps it first (decision.rules[0]) would let it go at the
// earliest, plus one backup interval so that the run which promotes it to a longer rule (a
// daily becoming a weekly) extends the lock while it still holds:
//   last N     ctime + (N + 1) intervals
//   hourly N   start of the local hour N hours after its own, + 1 interval
//   daily N    local midnight N days after its day, + 1 interval
//   weekly N   Monday 00:00 N ISO weeks after its week, + 1 interval
//   monthly N  the first of the month N months after its month, + 1 interval
//   yearly N   1 January N years after its year, + 1 interval
// keep-all: required now + 30 days, extended to now + 365 days. Never before now + 1 interval
// (a lock in the past protects nothing).
LockPlan lock_plan(const policies::Decision& decision, std::int64_t ctime,
                   const policies::RetentionPolicy& policy, const ZoneCalendar& calendar,
                   std::int64_t now);

}  // namespace agent::offsite
