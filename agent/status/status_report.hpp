#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/status/tier_health.hpp"

// `status`: what operators look at. Built from local facts only (tier records in state_dir,
// free space of local backup directories, the systemd timer), so it works when Proxmox or the
// container is unreachable.
namespace agent {

struct TierStatus {
  std::string tier;
  TierRecord record;
  TierHealth health;
  Freshness freshness;
  std::optional<std::uint64_t> free_bytes;  // where the backups live, when known locally
  std::optional<StorageProjection> storage;
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

// `timer_interval_s` / `next_run`: facts from the systemd timer, when known.
// `proxmox_error`: set when the Proxmox API could not be reached; the vzdump tiers are then
// `unknown` (their local facts are still shown).
StatusReport build_status(const Config& config, std::int64_t now,
                          std::optional<std::int64_t> timer_interval_s,
                          std::optional<std::string> next_run,
                          std::optional<std::string> proxmox_error = std::nullopt);

// Output forms. JSON schema (stable, documented in docs/operator-guide.md):
// {"state", "generated_at", "next_run", "targets": [{"name", "vmid", "state",
//   "tiers": {"vzdump"|"mongo": {"state", "last_success", "last_success_age_s", "count",
//   "size_bytes", "last_error", "last_run": {...}, "kept_per_rule", "validation", "reasons",
//   "thresholds": {"warn_after_s", "critical_after_s"},
//   "storage": null | {"free_bytes", "days_left" (null: fits for 60 days),
//                      "kept_growth_bytes_per_day", "backup_growth_bytes_per_day"}}}}]}
std::string render_status_table(const StatusReport& report);
std::string render_status_json(const StatusReport& report);
// One Nagios plugin line, e.g. "PVE-SMOKERBAK WARNING - prod-cloud/mongo: last run failed: ...".
std::string render_status_check(const StatusReport& report);

}  // namespace agent
