#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policies/local_calendar.hpp"
#include "policies/retention_policy.hpp"

// The retention engine: Proxmox VE's prune_mark_backup_group, reproduced exactly
// (docs/retention.md section 2). Pure: the current time is never used,
// local time comes from the LocalCalendar the caller passes.
namespace policies {

// One backup of one group (Proxmox prunes each guest's backups as a group).
struct BackupEntry {
  std::string id;             // carried for the caller; the engine does not read it
  std::int64_t ctime = 0;     // epoch seconds (64-bit: upstream tests use year 2070)
  bool is_protected = false;  // Proxmox `protected` flag: never counted, kept, or removed
};

enum class Mark { keep, remove, protected_backup };

// The keep-* rules in the order Proxmox applies them.
enum class Rule { last, hourly, daily, weekly, monthly, yearly };

struct Decision {
  Mark mark = Mark::remove;
  // For operators: "keep: daily 3/7", "keep: keep-all", "remove: older duplicate in
  // 2025-12-07 (daily)", "remove: beyond retention" or "protected".
  std::string reason;
  // For a kept backup: the rule that kept it first, then every later rule for which it is the
  // newest kept backup of its (already covered) period, e.g. {daily, weekly}. Empty otherwise
  // and under keep-all.
  std::vector<Rule> rules;
};

// "keep", "remove" or "protected".
std::string_view to_string(Mark mark);
// "last", "hourly", "daily", "weekly", "monthly" or "yearly".
std::string_view to_string(Rule rule);
// The rule of one of those words; nullopt for any other text.
std::optional<Rule> parse_rule(std::string_view text);
// "daily, weekly": the form the vzdump tier writes into Proxmox notes.
std::string join_rules(const std::vector<Rule>& rules);

// Marks every entry; the result is in input order (result[i] belongs to entries[i]).
// Contract, as in Proxmox: rules apply in fixed order last, hourly, daily, weekly (ISO week
// and ISO year), monthly, yearly; a rule with count N keeps the newest backup of each of the
// N newest periods that hold a backup and are not covered by an earlier rule's kept backups;
// marks are final; equal ctimes keep input order; keep_all, or no count above 0, keeps
// everything. Protected entries are marked protected and are invisible to the rules.
std::vector<Decision> mark_backups(std::span<const BackupEntry> entries,
                                   const RetentionPolicy& policy, const LocalCalendar& calendar);

}  // namespace policies
