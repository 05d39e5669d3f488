#include "policies/retention_engine.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "policies/period.hpp"

namespace policies {

namespace {

struct RuleCount {
  Rule rule;
  std::optional<std::int64_t> count;
};

std::array<RuleCount, 6> rule_counts(const RetentionPolicy& p) {
  return {{{Rule::last, p.keep_last},
           {Rule::hourly, p.keep_hourly},
           {Rule::daily, p.keep_daily},
           {Rule::weekly, p.keep_weekly},
           {Rule::monthly, p.keep_monthly},
           {Rule::yearly, p.keep_yearly}}};
}

// Proxmox's short-circuit: keep-all, or no option above 0, keeps everything.
bool keeps_everything(const RetentionPolicy& policy) {
  if (policy.keep_all) return true;
  for (const auto& rc : rule_counts(policy)) {
    if (rc.count && *rc.count > 0) return false;
  }
  return true;
}

// The working state of one group: entries newest first, their local fields, their marks.
class GroupMarker {
 public:
  GroupMarker(std::span<const BackupEntry> entries, std::vector<Decision>& decisions,
              const LocalCalendar& calendar)
      : m_entries(entries), m_decisions(decisions), m_order(entries.size()) {
    std::iota(m_order.begin(), m_order.end(), std::size_t{0});
    // Newest first; stable, so equal ctimes keep input order (Perl's merge sort).
    std::stable_sort(m_order.begin(), m_order.end(), [&](std::size_t a, std::size_t b) {
      return entries[a].ctime > entries[b].ctime;
    });
    m_marked.assign(entries.size(), false);
    // Local time once per entry, also for keep-last: its reasons name the local time.
    m_local.resize(entries.size());
    std::vector<std::int64_t> ctimes(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) ctimes[i] = entries[i].ctime;
    calendar.fields_of_many(ctimes, m_local);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].is_protected) m_marked[i] = true;  // decided by the caller
    }
  }

  // One $prune_mark pass of Proxmox's prune_mark_backup_group.
  void apply(Rule rule, std::int64_t count) {
    // Periods already covered by backups an earlier rule kept, computed before the scan. The
    // newest kept backup of each covered period also counts for this rule (Decision::rules).
    std::unordered_set<std::int64_t> covered;
    for (std::size_t i : m_order) {
      if (!is_kept(i)) continue;
      if (covered.insert(key(rule, i)).second) m_decisions[i].rules.push_back(rule);
    }
    std::unordered_map<std::int64_t, std::int64_t> chosen;  // period -> its 1-based slot
    const std::string name(to_string(rule));
    std::string of = "/";  // not "/" + ...: GCC 12 -Wrestrict false positive at -O3
    of += std::to_string(count);
    for (std::size_t i : m_order) {
      if (m_marked[i]) continue;
      const std::int64_t period = key(rule, i);
      if (covered.count(period) != 0) continue;
      Decision& d = m_decisions[i];
      m_marked[i] = true;
      if (chosen.count(period) != 0) {
        d.mark = Mark::remove;
        d.reason =
            "remove: older duplicate in " + period_label(rule, m_local[i]) + " (" + name + ")";
        continue;
      }
      if (static_cast<std::int64_t>(chosen.size()) >= count) {
        m_marked[i] = false;  // left for the next rules
        break;
      }
      const std::int64_t slot = static_cast<std::int64_t>(chosen.size()) + 1;
      chosen.emplace(period, slot);
      d.mark = Mark::keep;
      d.reason = "keep: " + name + " " + std::to_string(slot) + of;
      d.rules.push_back(rule);
    }
  }

  void remove_unmarked() {
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
      if (m_marked[i]) continue;
      m_decisions[i].mark = Mark::remove;
      m_decisions[i].reason = "remove: beyond retention";
    }
  }

 private:
  bool is_kept(std::size_t i) const {
    return m_marked[i] && !m_entries[i].is_protected && m_decisions[i].mark == Mark::keep;
  }
  std::int64_t key(Rule rule, std::size_t i) const {
    return period_key(rule, m_entries[i].ctime, m_local[i]);
  }

  std::span<const BackupEntry> m_entries;
  std::vector<Decision>& m_decisions;
  std::vector<std::size_t> m_order;
  std::vector<bool> m_marked;
  std::vector<LocalFields> m_local;
};

}  // namespace

std::string_view to_string(Mark mark) {
  switch (mark) {
    case Mark::keep:
      return "keep";
    case Mark::remove:
      return "remove";
    case Mark::protected_backup:
      return "protected";
  }
  return "remove";
}

std::optional<Rule> parse_rule(std::string_view text) {
  for (const Rule r :
       {Rule::last, Rule::hourly, Rule::daily, Rule::weekly, Rule::monthly, Rule::yearly}) {
    if (text == to_string(r)) return r;
  }
  return std::nullopt;
}

std::string_view to_string(Rule rule) {
  switch (rule) {
    case Rule::last:
      return "last";
    case Rule::hourly:
      return "hourly";
    case Rule::daily:
      return "daily";
    case Rule::weekly:
      return "weekly";
    case Rule::monthly:
      return "monthly";
    case Rule::yearly:
      return "yearly";
  }
  return "last";
}

std::string join_rules(const std::vector<Rule>& rules) {
  std::string out;
  for (Rule r : rules) {
    if (!out.empty()) out += ", ";
    out += to_string(r);
  }
  return out;
}

std::vector<Decision> mark_backups(std::span<const BackupEntry> entries,
                                   const RetentionPolicy& policy, const LocalCalendar& calendar) {
  std::vector<Decision> decisions(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].is_protected) {
      decisions[i].mark = Mark::protected_backup;
      decisions[i].reason = "protected";
    }
  }
  if (keeps_everything(policy)) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].is_protected) continue;
      decisions[i].mark = Mark::keep;
      decisions[i].reason = "keep: keep-all";
    }
    return decisions;
  }
  GroupMarker marker(entries, decisions, calendar);
  for (const auto& rc : rule_counts(policy)) {
    // Proxmox skips a missing or 0 count; a negative one stops at its first candidate.
    if (rc.count && *rc.count > 0) marker.apply(rc.rule, *rc.count);
  }
  marker.remove_unmarked();
  return decisions;
}

}  // namespace policies
