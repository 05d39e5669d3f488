#include "agent/vzdump/retention_plan.hpp"

#include <algorithm>

#include "agent/vzdump/notes.hpp"

namespace agent {
namespace {

bool failed_verification(const proxmox::BackupVolume& v, const KnownVerdicts& verdicts) {
  if (auto it = verdicts.find(v.volid); it != verdicts.end()) return !it->second;
  return verify_state_of(v.notes) == VerifyState::failed;
}

}  // namespace

std::vector<PlannedArchive> plan_retention(
    const std::vector<proxmox::BackupVolume>& volumes, const policies::RetentionPolicy& policy,
    const policies::LocalCalendar& calendar, bool prune_foreign,
    const std::vector<std::pair<std::string, std::string>>& owned_override,
    const KnownVerdicts& verdicts) {
  std::vector<PlannedArchive> plan;
  std::vector<policies::BackupEntry> entries;
  std::vector<std::size_t> index;
  std::vector<std::size_t> failed;
  for (const auto& v : volumes) {
    PlannedArchive p;
    p.volume = v;
    p.run_id = owner_run_id(v.notes);
    for (const auto& [volid, run_id] : owned_override) {
      if (volid == v.volid) p.run_id = run_id;
    }
    p.managed = p.run_id.has_value() || prune_foreign;
    if (p.managed && !v.is_protected && failed_verification(v, verdicts)) {
      p.failed_verification = true;
      failed.push_back(plan.size());
    } else if (p.managed) {
      entries.push_back({v.volid, v.ctime, v.is_protected});
      index.push_back(plan.size());
    }
    plan.push_back(std::move(p));
  }
  const auto decisions = policies::mark_backups(entries, policy, calendar);
  for (std::size_t i = 0; i < decisions.size(); ++i) plan[index[i]].decision = decisions[i];

  // The newest failed archive is the evidence; older ones are superseded by it.
  std::stable_sort(failed.begin(), failed.end(), [&](std::size_t a, std::size_t b) {
    return plan[a].volume.ctime > plan[b].volume.ctime;
  });
  for (std::size_t i = 0; i < failed.size(); ++i) {
    auto& d = plan[failed[i]].decision;
    d.mark = i == 0 ? policies::Mark::keep : policies::Mark::remove;
    d.reason = std::string(i == 0 ? k_reason_failed_evidence : k_reason_failed_superseded);
    d.rules.clear();
  }
  return plan;
}

std::string keep_text(const PlannedArchive& archive) {
  switch (archive.decision.mark) {
    case policies::Mark::protected_backup:
      return "protected";
    case policies::Mark::remove:
      return "";
    case policies::Mark::keep:
      if (archive.failed_verification) return "evidence (no retention slot)";
      return archive.decision.rules.empty() ? "all" : policies::join_rules(archive.decision.rules);
  }
  return "";
}

}  // namespace agent
