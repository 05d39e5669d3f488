#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/status/drill_status.hpp"
#include "agent/status/tier_health.hpp"
#include "agent/tier/tier.hpp"

// `status`: what operators look at. Built from local facts only (tier records in state_dir,
// free space of local backup directories, the systemd timer), so it works when Proxmox or the
// container is unreachable.
namespace agent {

struct TierStatus {
  TierName tier = TierName::vzdump;
  TierRecord record;
  TierHealth health;
  Freshness freshness;
  std::optional<std::uint64_t> free_bytes;  // where the backups live, when known locally
  std::optional<StorageProjection> storage;
  std::optional<DrillStatus> drill;  // restore drills, when configured (drill_status.hpp)
};

struct TargetStatus {
  std::string name;
  std::int64_t vmid = 0;
  Health health = Health::ok;
  std::vector<TierStatus> tiers;
};

struct StatusReport {
  std::int64_t generated_at = 0;
  Health health = Health::ok;
  std::optional<std::string> next_run;  // from the systemd timer, when present
  std::vector<TargetStatus> targets;
};

// What status knows from outside its local facts.
struct StatusFacts {
  std::optional<std::int64_t> timer_interval_s;  // from the systemd timer, when known
  std::optional<std::string> next_run;           // from the systemd timer, when known
  // Tiers whose remote end did not answer (Tier::probe): they are `unknown`, their local facts
  // still shown, the error's message first among the reasons.
  std::map<TierName, TierError> unreachable;
};

// Every configured target and tier of `tiers`, from their records in state_dir, judged at
// `now`.
StatusReport build_status(const Config& config, const TierSet& tiers, std::int64_t now,
                          const StatusFacts& facts);

// Output forms. JSON schema (stable, documented in docs/operator-guide.md):
// {"state", "generated_at", "next_run", "targets": [{"name", "vmid", "state",
//   "tiers": {"vzdump"|"mongo": {"state", "last_success", "last_success_age_s", "count",
//   "size_bytes", "last_error", "last_error_kind" (TierError kind or null), "last_run": {...},
//   "kept_per_rule", "validation", "reasons",
//   "thresholds": {"warn_after_s", "critical_after_s"},
//   "storage": null | {"free_bytes", "days_left" (null: fits for 60 days),
//                      "kept_growth_bytes_per_day", "backup_growth_bytes_per_day"},
//   "drill": null | {"last": null | {drill record}, "due_at", "overdue_at",
//                    "history": [{drill record}, ...]}}}}]}
std::string render_status_table(const StatusReport& report);
std::string render_status_json(const StatusReport& report);
// One Nagios plugin line, e.g. "PVE-SMOKERBAK WARNING - prod-cloud/mongo: last run failed: ...".
std::string render_status_check(const StatusReport& report);

}  // namespace agent
