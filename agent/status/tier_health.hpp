#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/status/storage_projection.hpp"
#include "agent/tier/tier_record.hpp"
#include "policies/retention_policy.hpp"

// Judging one tier's health from its record: pure logic, so every threshold is unit-tested.
namespace agent {

enum class Health { ok, warning, critical, unknown };
const char* to_string(Health h);
// Nagios plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
int nagios_code(Health h);
Health worst(Health a, Health b);

// Freshness limits derived from the schedule and the policy, never configured separately:
// a tier backed up every `interval_s` is late (warning) after one interval plus 2 h of slack
// (timer jitter, a slow run) and critical after two intervals plus 2 h (a whole run missed),
// e.g. nightly: warning past 26 h, critical past 50 h.
struct Freshness {
  std::int64_t interval_s = 86400;
  std::int64_t warn_after_s = 0;
  std::int64_t critical_after_s = 0;
};
// `timer_interval_s`: the systemd timer's period when known. Otherwise the finest period the
// policy keeps (keep-hourly -> 1 h, else daily).
Freshness freshness_for(const policies::RetentionPolicy& policy,
                        std::optional<std::int64_t> timer_interval_s);

struct TierHealth {
  Health health = Health::unknown;
  std::optional<std::int64_t> last_success_age_s;
  std::vector<std::string> reasons;  // why it is not ok, one sentence each
};

// `storage`: the projection for where the tier's backups are stored, when its free space is
// known locally: warning when the backups stop fitting within k_projection_warn_days,
// critical within k_projection_critical_days. A failed last run is a warning when the next
// run may well succeed by itself, critical when its error kind needs someone to act
// (needs_operator: credentials, an invalid backup, this host's disk, a bug).
TierHealth judge_tier(const TierRecord& record, const Freshness& freshness, std::int64_t now,
                      const std::optional<StorageProjection>& storage);

}  // namespace agent
