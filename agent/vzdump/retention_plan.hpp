#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
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
//
// An archive that failed verification takes no retention slot (it would otherwise push a good
// backup out of its daily/weekly/... place): it is kept out of the engine's input. The newest
// such unprotected archive is kept as evidence for the operator, older ones are removed, as
// the mongo tier keeps only its newest failed-* attempt.
namespace agent {

inline constexpr std::string_view k_reason_failed_evidence =
    "verify FAILED, kept as evidence (takes no retention slot)";
inline constexpr std::string_view k_reason_failed_superseded = "verify FAILED, superseded";

struct PlannedArchive {
  proxmox::BackupVolume volume;
  std::optional<std::string> run_id;  // set when agent-owned
  bool managed = false;               // subject to the agent's retention
  bool failed_verification = false;   // managed, unprotected and failed: no retention slot
  policies::Decision decision;        // meaningful when managed
};

// volid -> verdict known outside the listing (the local backup record, or this run's check):
// true verified, false failed. Archives not named here count as failed when their notes'
// first line says "verify FAILED".
using KnownVerdicts = std::map<std::string, bool>;

// `owned_override` marks volids as agent-owned with the given run id even when their notes do
// not say so yet (a just-made archive on a server without notes-template support).
std::vector<PlannedArchive> plan_retention(
    const std::vector<proxmox::BackupVolume>& volumes, const policies::RetentionPolicy& policy,
    const policies::LocalCalendar& calendar, bool prune_foreign,
    const std::vector<std::pair<std::string, std::string>>& owned_override = {},
    const KnownVerdicts& verdicts = {});

// The "keep: ..." part of the notes: "daily, weekly", "all" (keep-all), "protected",
// "evidence (no retention slot)" for the kept failed archive, or "" when the archive is to be
// removed.
std::string keep_text(const PlannedArchive& archive);

}  // namespace agent
