#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policies/local_calendar.hpp"
#include "policies/retention_engine.hpp"
#include "policies/retention_policy.hpp"
#include "proxmox/types.hpp"

// Which of a container's vzdump archives the agent keeps, and why. The group is the listing
// of lxc/<vmid> on the target's storage (as Proxmox groups it); the retention engine sees
// only the archives the agent manages: agent-owned ones (notes first line has "smokerbak:"),
// or every archive when prune_foreign is set. Protected archives are passed as protected, so
// they are never counted nor removed.
namespace agent {

struct PlannedArchive {
  proxmox::BackupVolume volume;
  std::optional<std::string> run_id;  // set when agent-owned
  bool managed = false;               // subject to the agent's retention
  policies::Decision decision;        // meaningful when managed
};

// `owned_override` marks volids as agent-owned with the given run id even when their notes do
// not say so yet (a just-made archive on a server without notes-template support).
std::vector<PlannedArchive> plan_retention(
    const std::vector<proxmox::BackupVolume>& volumes, const policies::RetentionPolicy& policy,
    const policies::LocalCalendar& calendar, bool prune_foreign,
    const std::vector<std::pair<std::string, std::string>>& owned_override = {});

// The "keep: ..." part of the notes: "daily, weekly", "all" (keep-all), "protected", or ""
// when the archive is to be removed.
std::string keep_text(const PlannedArchive& archive);

}  // namespace agent
