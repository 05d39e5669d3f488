#include "agent/vzdump/retention_plan.hpp"

#include "agent/vzdump/notes.hpp"

namespace agent {

std::vector<PlannedArchive> plan_retention(
    const std::vector<proxmox::BackupVolume>& volumes, const policies::RetentionPolicy& policy,
    const policies::LocalCalendar& calendar, bool prune_foreign,
    const std::vector<std::pair<std::string, std::string>>& owned_override) {
  std::vector<PlannedArchive> plan;
  std::vector<policies::BackupEntry> entries;
  std::vector<std::size_t> index;
  for (const auto& v : volumes) {
    PlannedArchive p;
    p.volume = v;
    p.run_id = owner_run_id(v.notes);
    for (const auto& [volid, run_id] : owned_override) {
      if (volid == v.volid) p.run_id = run_id;
    }
    p.managed = p.run_id.has_value() || prune_foreign;
    if (p.managed) {
      entries.push_back({v.volid, v.ctime, v.is_protected});
      index.push_back(plan.size());
    }
    plan.push_back(std::move(p));
  }
  const auto decisions = policies::mark_backups(entries, policy, calendar);
  for (std::size_t i = 0; i < decisions.size(); ++i) plan[index[i]].decision = decisions[i];
  return plan;
}

std::string keep_text(const PlannedArchive& archive) {
  switch (archive.decision.mark) {
    case policies::Mark::protected_backup:
      return "protected";
    case policies::Mark::remove:
      return "";
    case policies::Mark::keep:
      return archive.decision.rules.empty() ? "all" : policies::join_rules(archive.decision.rules);
  }
  return "";
}

}  // namespace agent
