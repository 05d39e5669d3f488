#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/owner_tag.hpp"
#include "policies/local_calendar.hpp"
#include "policies/retention_engine.hpp"
#include "policies/retention_policy.hpp"
#include "proxmox/types.hpp"

// Which of a container's vzdump archives the agent keeps, and why. The group is the listing
// of lxc/<vmid> on the target's storage (as Proxmox groups it). Only deletion candidates are
// ever managed: an archive with Proxmox's standard name for this guest on this storage
// (deletion_candidate()). Of those the retention engine sees the agent-owned ones (the
// ownership tag of this installation and target, owner_tag.hpp), or every candidate when
// prune_foreign is set. Protected archives are passed as protected, so they are never
// counted nor removed. Everything else (foreign archives, renamed archives, names that are
// not this guest's) is left alone: kept, not counted, its notes never touched.
//
// An archive that failed verification (read here, or by PBS) takes no retention slot (it
// would otherwise push a good backup out of its daily/weekly/... place): it is kept out of the
// engine's input. The newest such unprotected archive is kept as evidence for the operator,
// older ones are removed, as the mongo tier keeps only its newest failed-* attempt. An archive
// that is only not verified, not verifiable here or not yet verified by PBS is a backup like
// any other: it takes its slot and never feeds that rule.
namespace agent {

inline constexpr std::string_view k_reason_failed_evidence =
    "verify FAILED, kept as evidence (takes no retention slot)";
inline constexpr std::string_view k_reason_failed_superseded = "verify FAILED, superseded";

// nullopt when `volume` may be deleted by the agent as a backup of CT `vmid` on `storage`:
// Proxmox's standard name vzdump-lxc-<vmid>-YYYY_MM_DD-HH_MM_SS.tar[.gz|.zst|.lzo] under
// <storage>:backup/, or a PBS snapshot <storage>:backup/ct/<vmid>/<YYYY-MM-DDThh:mm:ssZ>.
// Otherwise why not (a renamed archive, another guest, another storage, an unsafe name).
// Decided from the volid text alone; checked when planning and again right before a DELETE.
std::optional<std::string> deletion_candidate(const proxmox::BackupVolume& volume,
                                              std::string_view storage, std::int64_t vmid);

struct PlannedArchive {
  proxmox::BackupVolume volume;
  std::optional<std::string> run_id;  // set when agent-owned
  bool candidate = false;             // deletion_candidate() allows it
  std::string not_candidate;          // why not, when not
  bool managed = false;               // subject to the agent's retention
  VerifyState verify = VerifyState::unverified;
  bool failed_verification = false;  // managed, unprotected and failed: no retention slot
  policies::Decision decision;       // meaningful when managed
};

struct PlanInput {
  Ownership owner;
  std::string storage;
  std::int64_t vmid = 0;
  bool prune_foreign = false;
  // Volids owned with the given run id even when their notes do not say so yet (a just-made
  // archive on a server without notes-template support).
  std::vector<std::pair<std::string, std::string>> owned_override;
  // volid -> verify state known outside the notes (known_verify_states(), this run's check).
  // Archives not named here are "not verified".
  std::map<std::string, VerifyState> states;
};

std::vector<PlannedArchive> plan_retention(const std::vector<proxmox::BackupVolume>& volumes,
                                           const policies::RetentionPolicy& policy,
                                           const policies::LocalCalendar& calendar,
                                           const PlanInput& input);

// The "keep: ..." part of the notes: "daily, weekly", "all" (keep-all), "protected",
// "evidence (no retention slot)" for the kept failed archive, or "" when the archive is to be
// removed.
std::string keep_text(const PlannedArchive& archive);

}  // namespace agent
