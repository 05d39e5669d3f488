#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/tier/tier.hpp"
#include "agent/vzdump/archive_access.hpp"
#include "agent/vzdump/archive_verifier.hpp"
#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/notes_sync.hpp"
#include "agent/vzdump/retention_plan.hpp"
#include "agent/vzdump/vzdump_tier.hpp"
#include "proxmox/client.hpp"
#include "proxmox/task_log.hpp"

// One run of the vzdump tier on one target. backup() and prune() read top to bottom as their
// steps; what a backup step learns is a member the later steps read, and what prune() takes
// from backup() is m_listing_for_prune, the storage listing as backup() left it.
namespace agent {

class VzdumpRun final : public TierRun {
 public:
  VzdumpRun(const Config& config, const TargetConfig& target, const RunContext& ctx,
            proxmox::Result<proxmox::Client*> api, const VzdumpTierOptions& options);

  TierOutcome backup() override;
  TierOutcome prune() override;
  // After the off-site tier confirmed copies of `volids` (receipts written): rewrites the
  // notes line of each of them that the policy keeps, so it says "off-site" in this run
  // rather than after the next night's prune. Nothing else is touched. Warnings, each a
  // sentence; none in a dry run.
  std::vector<std::string> mark_offsite(const std::set<std::string>& volids);

 private:
  // What every notes sync of this run shares: where the archives are and whose they are.
  NotesSyncInput notes_sync_input() const;
  // The steps of backup(), in order; each returns the error that ends the backup, if any.
  std::optional<TierError> locate_guest();
  std::optional<TierError> establish_ownership();
  std::optional<TierError> inspect_storage();
  void check_conflicts();
  std::optional<TierError> check_backup_limit();
  void prepare_request();
  TierOutcome dry_run_outcome() const;
  std::optional<TierError> start_task();
  std::optional<TierError> wait_for_task();
  std::optional<TierError> find_archive();
  void warn_about_vanished_archives();
  std::optional<TierError> verify();
  void record_backup();
  void write_notes();
  TierOutcome backup_outcome() const;

  // The steps of prune(), in order, and what they count.
  struct PruneTally {
    PrunePlan plan;
    std::uint64_t kept = 0;
    std::uint64_t kept_bytes = 0;
    std::uint64_t to_remove = 0;
    std::map<policies::Rule, std::uint64_t> kept_per_rule;
    std::set<std::string> deleted;
    std::vector<proxmox::Error> errors;  // of deletions that failed
    std::vector<std::string> warnings;
  };
  std::optional<TierError> node_for_prune();
  tl::expected<std::vector<PlannedArchive>, TierError> plan_prune();
  PruneTally delete_removed(const std::vector<PlannedArchive>& plan);
  void write_notes_after_prune(const std::vector<PlannedArchive>& plan, PruneTally& tally);
  TierOutcome prune_outcome(PruneTally tally) const;

  // Helpers.
  proxmox::Result<std::string> post_vzdump();
  proxmox::WaitOptions wait_options(std::chrono::seconds timeout) const;
  proxmox::Result<proxmox::BackupListing> list_checked();
  PlanInput plan_input(const std::vector<proxmox::BackupVolume>& listing) const;
  void warn_about_new_pbs_failures(const std::vector<PlannedArchive>& plan);
  // nullopt when the volume, read again right before its DELETE, may still be deleted.
  std::optional<std::string> still_deletable(const PlannedArchive& archive);

  const Config& m_config;
  const TargetConfig& m_target;
  const VzdumpConfig& m_vz;
  const RunContext& m_ctx;
  proxmox::Result<proxmox::Client*> m_api;
  VzdumpTierOptions m_options;

  std::vector<std::string> m_warnings;
  // locate_guest
  proxmox::ClusterGuest m_guest;
  std::string m_node;
  // establish_ownership: this installation and target (no id yet: only legacy tags are ours)
  Ownership m_owner;
  // inspect_storage: the storage as the guest's node reports it
  proxmox::StorageStatus m_storage;
  // check_conflicts
  bool m_conflict_checked = false;
  long long m_storage_backup_limit = 0;
  // prepare_request, start_task
  proxmox::VzdumpRequest m_request;
  std::string m_tag;                // this run's ownership tag
  bool m_notes_template_ok = true;  // false once a pre-7.2 server refused notes-template
  std::string m_upid;
  // wait_for_task
  std::optional<proxmox::ArchiveLine> m_archive_line;  // the log's "creating ... archive" line
  proxmox::TaskResult m_task;
  // find_archive
  std::vector<proxmox::BackupVolume> m_listing;
  proxmox::BackupVolume m_volume;
  // verify
  std::string m_path;
  std::string m_notes_rest;  // the operator's notes lines of the new archive
  ArchiveAccess m_access;
  ArchiveCheck m_check;
  VerifyState m_state = VerifyState::unverified;
  // write_notes -> prune
  std::optional<std::vector<proxmox::BackupVolume>> m_listing_for_prune;
};

// The listing's rejected entries as one warning (empty when none): remote text, escaped.
std::string rejected_entries_warning(const std::vector<proxmox::RejectedVolume>& rejected,
                                     std::int64_t vmid, const std::string& storage);

// "ct/106/2026-01-01T01:00:00Z" or "vzdump-lxc-106-....tar.zst": the volid after "backup/".
std::string archive_short_name(const std::string& volid);

}  // namespace agent
