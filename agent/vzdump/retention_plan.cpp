#include "agent/vzdump/retention_plan.hpp"

#include <algorithm>

#include "proxmox/backup_name.hpp"

namespace agent {

std::optional<std::string> deletion_candidate(const proxmox::BackupVolume& volume,
                                              std::string_view storage, std::int64_t vmid) {
  // Parsed again here, never taken from the listing's fields: the name alone decides.
  const proxmox::BackupName name = proxmox::parse_backup_volid(volume.volid);
  if (name.form == proxmox::BackupNameForm::unsafe) return "unsafe name (" + name.reason + ")";
  if (name.storage != storage) return "not on storage '" + std::string(storage) + "'";
  if (name.form == proxmox::BackupNameForm::other) {
    return "not a vzdump file or PBS snapshot name (e.g. a backup provider's): the agent "
           "never prunes it";
  }
  if (name.guest_type != "lxc") return "not a container backup";
  if (name.form == proxmox::BackupNameForm::vzdump_file && !name.standard) {
    return "renamed (not Proxmox's standard vzdump name): never pruned, as Proxmox does";
  }
  if (!name.vmid || *name.vmid != vmid) return "a backup of another guest";
  if (name.form == proxmox::BackupNameForm::pbs_snapshot) {
    if (name.standard) return std::nullopt;
    return "not a standard PBS snapshot name";
  }
  const std::string ext = proxmox::backup_extension(name.volname);
  if (ext != "tar" && ext != "tar.gz" && ext != "tar.zst" && ext != "tar.lzo") {
    return "a ." + ext + " archive (not tar, tar.gz, tar.zst or tar.lzo)";
  }
  return std::nullopt;
}

std::vector<PlannedArchive> plan_retention(const std::vector<proxmox::BackupVolume>& volumes,
                                           const policies::RetentionPolicy& policy,
                                           const policies::LocalCalendar& calendar,
                                           const PlanInput& input) {
  std::vector<PlannedArchive> plan;
  std::vector<policies::BackupEntry> entries;
  std::vector<std::size_t> index;
  std::vector<std::size_t> failed;
  for (const auto& v : volumes) {
    PlannedArchive p;
    p.volume = v;
    p.run_id = owned_run_id(input.owner, v.notes);
    for (const auto& [volid, run_id] : input.owned_override) {
      if (volid == v.volid) p.run_id = run_id;
    }
    const auto why_not = deletion_candidate(v, input.storage, input.vmid);
    p.candidate = !why_not;
    p.not_candidate = why_not.value_or("");
    p.managed = p.candidate && (p.run_id.has_value() || input.prune_foreign);
    if (auto it = input.states.find(v.volid); it != input.states.end()) p.verify = it->second;
    if (p.managed && !v.is_protected && is_failed(p.verify)) {
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
