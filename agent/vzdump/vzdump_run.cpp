#include "agent/vzdump/vzdump_run.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "agent/core/human_format.hpp"
#include "agent/core/installation_id.hpp"
#include "agent/core/local_time.hpp"
#include "agent/core/progress.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/vzdump/api_errors.hpp"
#include "agent/vzdump/backup_record.hpp"
#include "agent/vzdump/conflict_cache.hpp"
#include "agent/vzdump/conflict_check.hpp"
#include "agent/vzdump/notes_sync.hpp"
#include "agent/vzdump/owner_tag.hpp"
#include "proxmox/backup_name.hpp"
#include "proxmox/error_cause.hpp"
#include "proxmox/storage.hpp"
#include "proxmox/task_log.hpp"

namespace agent {
namespace {

using Kind = TierError::Kind;

std::string ct(const TargetConfig& target) { return "CT " + std::to_string(target.vmid); }

// Remote text in a sentence for people and the log.
std::string shown(std::string_view text) { return escape_control_chars(text, Tabs::escape); }

Validation validation_for(VerifyState state) {
  switch (state) {
    case VerifyState::verified:
    case VerifyState::pbs_verified:
      return Validation::ok;
    case VerifyState::failed:
    case VerifyState::pbs_failed:
      return Validation::failed;
    case VerifyState::pbs_pending:
      return Validation::pending;
    case VerifyState::not_verifiable:
      return Validation::not_verifiable;
    case VerifyState::unverified:
      break;
  }
  return Validation::unknown;
}

}  // namespace

std::string archive_short_name(const std::string& volid) {
  const auto at = volid.find(":backup/");
  return at == std::string::npos ? volid.substr(volid.rfind('/') + 1) : volid.substr(at + 8);
}

std::string rejected_entries_warning(const std::vector<proxmox::RejectedVolume>& rejected,
                                     std::int64_t vmid, const std::string& storage) {
  if (rejected.empty()) return {};
  std::string text = "ignored " + std::to_string(rejected.size()) + " entr" +
                     (rejected.size() == 1 ? "y" : "ies") + " of storage '" + storage +
                     "' listed as backups of CT " + std::to_string(vmid) +
                     " whose names do not fit (never read, never deleted):";
  constexpr std::size_t k_shown = 5;
  for (std::size_t i = 0; i < rejected.size() && i < k_shown; ++i) {
    text += " \"" + shown(rejected[i].volid.substr(0, 200)) + "\" (" + shown(rejected[i].reason) +
            ")" + (i + 1 < rejected.size() && i + 1 < k_shown ? ";" : "");
  }
  if (rejected.size() > k_shown) {
    text += " and " + std::to_string(rejected.size() - k_shown) + " more";
  }
  return text;
}

VzdumpRun::VzdumpRun(const Config& config, const TargetConfig& target, const RunContext& ctx,
                     proxmox::Result<proxmox::Client*> api, const VzdumpTierOptions& options)
    : m_config(config),
      m_target(target),
      m_vz(*target.vzdump),
      m_ctx(ctx),
      m_api(std::move(api)),
      m_options(options) {
  m_owner.target = target.name;
}

TierOutcome VzdumpRun::backup() {
  if (!m_api) return failed_outcome(tier_error_of(m_api.error()));
  // Where the CT runs, and that no lock would make vzdump fail.
  if (auto e = locate_guest()) return failed_outcome(*e, m_warnings);
  // This installation's id (made on the first run): the notes tag names it.
  if (auto e = establish_ownership()) return failed_outcome(*e, m_warnings);
  // The storage on the CT's node: a local path, PBS or a backup provider decides how the
  // archive is verified.
  if (auto e = inspect_storage()) return failed_outcome(*e, m_warnings);
  // Proxmox backup jobs or the retention vzdump applies on the storage that would delete or
  // block ours.
  check_conflicts();
  // vzdump with remove=0 refuses once the storage's finite retention is full.
  if (auto e = check_backup_limit()) return failed_outcome(*e, m_warnings);
  // The request: snapshot mode, remove=0, the notes template naming this run, notifications.
  prepare_request();
  if (m_ctx.dry_run) return dry_run_outcome();
  // POST vzdump (without options the node is too old for; once more if the CT moved).
  if (auto e = start_task()) return failed_outcome(*e, m_warnings);
  // Poll the task to its end, its log lines into the agent's log.
  if (auto e = wait_for_task()) return failed_outcome(*e, m_warnings);
  // The new archive: tagged with this run, else named in the task log, else the newest.
  if (auto e = find_archive()) return failed_outcome(*e, m_warnings);
  // Archives the agent made and did not delete that are gone: someone else prunes ours.
  warn_about_vanished_archives();
  // Read the archive on this host, or take PBS's verdict, or say it is not verifiable here.
  if (auto e = verify()) return failed_outcome(*e, m_warnings);
  // The local record `status` and `validate` read.
  record_backup();
  // Every owned archive's notes say what it is and why it is kept.
  write_notes();
  return backup_outcome();
}

std::optional<TierError> VzdumpRun::locate_guest() {
  auto guest = (*m_api)->locate_guest(m_target.vmid);
  if (!guest) return tier_error_of(guest.error());
  if (guest->type != "lxc") {
    return TierError{Kind::refused, "guest " + std::to_string(m_target.vmid) + " is a " +
                                        shown(guest->type) +
                                        ", not a container (lxc); the vzdump tier backs up "
                                        "containers"};
  }
  m_guest = *guest;
  m_node = guest->node;
  if (!m_guest.lock.empty()) {
    return TierError{Kind::refused, ct(m_target) + " on node " + m_node + " is locked (" +
                                        shown(m_guest.lock) +
                                        "), so vzdump would fail. If no backup or other "
                                        "operation is running, a crashed run left the lock: "
                                        "clear it with `pct unlock " +
                                        std::to_string(m_target.vmid) + "` on " + m_node + "."};
  }
  return std::nullopt;
}

std::optional<TierError> VzdumpRun::establish_ownership() {
  if (!m_owner.installation_id.has_value()) {
    // A dry run changes nothing: without an id on file only legacy tags are ours.
    if (m_ctx.dry_run) {
      auto id = read_installation_id(m_config.state_dir);
      if (!id) return TierError{Kind::local_io, id.error()};
      m_owner.installation_id = *id;
    } else {
      auto id = ensure_installation_id(m_config.state_dir);
      if (!id) return TierError{Kind::local_io, id.error()};
      m_owner.installation_id = *id;
    }
  }
  return std::nullopt;
}

std::optional<TierError> VzdumpRun::inspect_storage() {
  auto status = (*m_api)->node_storage(m_node, m_vz.storage);
  if (!status) {
    TierError e = tier_error_of(status.error());
    if (status.error().kind == proxmox::Error::Kind::not_found) {
      e.message = "storage '" + m_vz.storage + "' is not available on node " + m_node + " (where " +
                  ct(m_target) +
                  " runs), or the token may not see it: it needs Datastore.AllocateSpace on "
                  "/storage/" +
                  m_vz.storage + " (" + e.message + ")";
    }
    return e;
  }
  m_storage = *status;
  if (!m_storage.enabled) {
    return TierError{Kind::refused, "storage '" + m_vz.storage +
                                        "' is disabled or not available "
                                        "on node " +
                                        m_node + " (storage.cfg `nodes`), where " + ct(m_target) +
                                        " runs"};
  }
  if (!m_storage.has_content("backup")) {
    return TierError{Kind::refused, "storage '" + m_vz.storage +
                                        "' does not hold backups (its content is " +
                                        shown(m_storage.content) +
                                        "); add `backup` with "
                                        "`pvesm set " +
                                        m_vz.storage + " --content ...`"};
  }
  return std::nullopt;
}

void VzdumpRun::check_conflicts() {
  const std::int64_t now = std::chrono::system_clock::to_time_t(m_ctx.run_start);
  // A dry run is someone looking: always check.
  m_conflict_checked = m_ctx.dry_run || !conflict_check_still_clean(
                                            m_config.state_dir, m_target.name, m_vz.storage, now);
  if (!m_conflict_checked) {
    spdlog::debug("[{}] conflict check skipped: clean within the last {} days", m_target.name,
                  k_conflict_recheck_s / 86400);
    return;
  }
  const ConflictReport conflicts =
      agent::check_conflicts(**m_api, m_node, m_vz.storage, m_target.vmid);
  m_warnings.insert(m_warnings.end(), conflicts.warnings.begin(), conflicts.warnings.end());
  m_storage_backup_limit = conflicts.storage_backup_limit;
  if (!m_ctx.dry_run) {
    record_conflict_check(m_config.state_dir, m_target.name, m_vz.storage, now, conflicts);
  }
}

std::optional<TierError> VzdumpRun::check_backup_limit() {
  if (m_storage_backup_limit <= 0) return std::nullopt;
  auto existing = (*m_api)->list_backups(m_node, m_vz.storage, m_target.vmid);
  if (!existing) return std::nullopt;  // the backup itself will tell
  const auto unprotected = std::count_if(existing->begin(), existing->end(),
                                         [](const auto& v) { return !v.is_protected; });
  if (unprotected < m_storage_backup_limit) return std::nullopt;
  return TierError{Kind::refused,
                   "storage '" + m_vz.storage + "' allows " +
                       std::to_string(m_storage_backup_limit) +
                       " backups per guest (the prune-backups vzdump applies there) and " +
                       ct(m_target) + " already has " + std::to_string(unprotected) +
                       " unprotected ones, so vzdump with remove=0 would fail with \"max "
                       "backup limit\". Set `pvesm set " +
                       m_vz.storage + " --prune-backups keep-all=1` and let the agent prune."};
}

void VzdumpRun::prepare_request() {
  m_request.vmid = m_target.vmid;
  m_request.mode = m_vz.mode;
  m_request.storage = m_vz.storage;
  m_request.compress = m_vz.compress;
  m_request.remove = false;
  // On purpose, not left to /etc/vzdump.conf (docs/configuration.md, notification_mode).
  m_request.notification_mode = m_vz.notification_mode;
  m_request.mailto = m_vz.mailto;
  // Only vzdump's PBS path reads it (pve-container VZDump/LXC.pm); others would only risk
  // a 400 on nodes before PVE 8.2.
  if (m_storage.kind() == proxmox::StorageKind::pbs) {
    m_request.pbs_change_detection_mode = m_vz.pbs_change_detection_mode;
  }
  // No GET /version: a server without notes-template (PVE < 7.2) says so by rejecting the
  // parameter when the backup is started (see post_vzdump), which costs nothing on new ones.
  m_tag =
      owner_tag_text(m_owner.installation_id.value_or(std::string(k_installation_id_chars, '0')),
                     m_target.name, m_ctx.run_id);
  m_request.notes_template = vzdump_notes_template(m_tag, m_vz.notes);
  // vzdump logs its command line, template included: a lost answer finds this run's task.
  m_request.log_marker = m_tag;
}

TierOutcome VzdumpRun::dry_run_outcome() const {
  TierOutcome out;
  out.state = state_for(m_warnings);
  out.warnings = m_warnings;
  out.summary = "dry run: would start vzdump of " + ct(m_target) + " on " + m_node + " (mode " +
                m_vz.mode + ", storage " + m_vz.storage + " (" +
                proxmox::to_string(m_storage.kind()) + "), compress " + m_vz.compress +
                ", remove=0, notification-mode " + m_vz.notification_mode + ")";
  return out;
}

// A server older than an option rejects it in its parameter check (400, before any task
// starts), so repeating the POST without it cannot start a second backup: notes-template (PVE
// 7.2; the notes are then written after the backup), notification-mode (8.1; the node then
// behaves as legacy-sendmail: mail only to mailto), pbs-change-detection-mode (8.2).
proxmox::Result<std::string> VzdumpRun::post_vzdump() {
  auto upid = (*m_api)->start_vzdump(m_node, m_request);
  for (int dropped = 0; !upid && dropped < 3; ++dropped) {
    const proxmox::Error& e = upid.error();
    if (!m_request.notes_template.empty() &&
        proxmox::cause_of(e) == proxmox::Cause::notes_template_unsupported) {
      m_warnings.push_back(
          "Proxmox VE on this node has no vzdump notes-template (needs 7.2); the agent sets "
          "the notes after the backup instead.");
      m_notes_template_ok = false;
      m_request.notes_template.clear();
      m_request.log_marker.clear();  // the run id was in the template only
    } else if (m_request.notification_mode &&
               proxmox::parameter_unsupported(e, "notification-mode")) {
      if (*m_request.notification_mode != "legacy-sendmail") {
        m_warnings.push_back(
            "Proxmox VE on this node has no vzdump notification-mode (needs "
            "8.1): notification_mode " +
            *m_request.notification_mode + " is not applied, vzdump mails only to mailto");
      }
      m_request.notification_mode.reset();
    } else if (m_request.pbs_change_detection_mode &&
               proxmox::parameter_unsupported(e, "pbs-change-detection-mode")) {
      m_warnings.push_back(
          "Proxmox VE on this node has no pbs-change-detection-mode (needs 8.2): the backup "
          "used PBS's default mode");
      m_request.pbs_change_detection_mode.reset();
    } else {
      break;
    }
    upid = (*m_api)->start_vzdump(m_node, m_request);
  }
  return upid;
}

std::optional<TierError> VzdumpRun::start_task() {
  auto upid = post_vzdump();
  if (!upid && upid.error().kind == proxmox::Error::Kind::not_found) {
    // "OK": the guest moved between locating and starting; locate once more.
    if (auto e = locate_guest()) return e;
    if (auto e = inspect_storage()) return e;
    upid = post_vzdump();
  }
  if (!upid) return tier_error_of(upid.error());
  m_upid = *upid;
  if (m_ctx.journal)
    m_ctx.journal->record(m_target.name, TierName::vzdump, JournalStep::task_started, m_upid);
  spdlog::info("[{}] vzdump of {} started on {}: {}", m_target.name, ct(m_target), m_node,
               shown(m_upid));
  return std::nullopt;
}

proxmox::WaitOptions VzdumpRun::wait_options(std::chrono::seconds timeout) const {
  proxmox::WaitOptions wait;
  wait.timeout = timeout;
  wait.first_poll = m_options.first_poll;
  wait.max_poll = m_options.max_poll;
  return wait;
}

std::optional<TierError> VzdumpRun::wait_for_task() {
  proxmox::WaitOptions wait = wait_options(m_options.backup_timeout);
  wait.on_log_line = [this](const std::string& line) {
    spdlog::info("[{}] vzdump: {}", m_target.name, shown(line));
    // The first archive line names the archive; later lines (tar's, which may quote names
    // from inside the guest) never override it (proxmox/task_log.hpp).
    if (!m_archive_line) m_archive_line = proxmox::parse_archive_line(line);
  };
  auto task = (*m_api)->wait_task(m_node, m_upid, wait);
  if (!task) {
    TierError error = tier_error_of(task.error());
    error.message = "vzdump of " + ct(m_target) + " failed: " + error.message;
    if (proxmox::cause_of(task.error()) == proxmox::Cause::backup_limit_reached) {
      forget_conflict_check(m_config.state_dir, m_target.name);  // the storage changed: recheck
      error.message +=
          "\nThe storage's prune-backups limits backups per guest and the agent runs "
          "vzdump with remove=0: set `pvesm set " +
          m_vz.storage + " --prune-backups keep-all=1` and let the agent prune.";
    }
    return error;
  }
  m_task = *task;
  if (m_task.warnings > 0) {
    m_warnings.push_back("the vzdump task ended with " + shown(m_task.exitstatus) +
                         " (see the task log in the Proxmox web UI)");
  }
  return std::nullopt;
}

proxmox::Result<proxmox::BackupListing> VzdumpRun::list_checked() {
  auto listing = (*m_api)->list_backups_checked(m_node, m_vz.storage, m_target.vmid);
  if (listing) {
    const auto warning = rejected_entries_warning(listing->rejected, m_target.vmid, m_vz.storage);
    if (!warning.empty()) {
      spdlog::warn("[{}] {}", m_target.name, warning);
      m_warnings.push_back(warning);
    }
  }
  return listing;
}

std::optional<TierError> VzdumpRun::find_archive() {
  auto listing = list_checked();
  if (!listing) return tier_error_of(listing.error());
  m_listing = std::move(listing->volumes);
  const proxmox::BackupVolume* made = nullptr;
  // 1. The archive whose notes carry this run's tag (exact: this installation, target, run).
  for (const auto& v : m_listing) {
    if (owned_run_id(m_owner, v.notes) == m_ctx.run_id) made = &v;
  }
  // 2. The volid the task log names (every upstream form: file, PBS snapshot, provider), when
  // no notes say so (a server without notes-template); it must be listed.
  if (!made && m_archive_line) {
    const std::string volid = proxmox::archive_volid(*m_archive_line, m_vz.storage);
    if (proxmox::parse_backup_volid(volid).form != proxmox::BackupNameForm::unsafe) {
      for (const auto& v : m_listing) {
        if (v.volid == volid) made = &v;
      }
    }
  }
  // 3. A pre-7.2 server wrote no notes: the newest archive.
  if (!made && !m_notes_template_ok && !m_listing.empty()) made = &m_listing.back();
  if (!made) {
    return TierError{Kind::refused, "vzdump finished (" + shown(m_task.exitstatus) +
                                        ") but no new archive of " + ct(m_target) +
                                        " is listed on storage '" + m_vz.storage + "'"};
  }
  m_volume = *made;
  return std::nullopt;
}

void VzdumpRun::warn_about_vanished_archives() {
  // Archives this agent made and recorded but did not delete are gone: something else
  // deletes them (a Proxmox backup job's prune, the storage's prune-backups, a person).
  const auto gone =
      vanished_records(m_config.state_dir, m_target.name, m_target.vmid, m_vz.storage, m_listing);
  if (gone.empty()) return;
  std::string text = std::to_string(gone.size()) +
                     " archive(s) the agent made and did not delete are gone from storage '" +
                     m_vz.storage + "':";
  for (const auto& volid : gone) {
    text += " " + shown(volid);
    remove_backup_record(m_config.state_dir, m_target.name, volid);
  }
  text +=
      ". Something else deletes the agent's backups (a Proxmox backup job or the storage's "
      "prune-backups, see the other warnings, or a person); their local records are dropped.";
  m_warnings.push_back(text);
  if (!m_conflict_checked) {
    const std::int64_t now = std::chrono::system_clock::to_time_t(m_ctx.run_start);
    auto recheck = agent::check_conflicts(**m_api, m_node, m_vz.storage, m_target.vmid);
    m_warnings.insert(m_warnings.end(), recheck.warnings.begin(), recheck.warnings.end());
    record_conflict_check(m_config.state_dir, m_target.name, m_vz.storage, now, recheck);
  }
}

std::optional<TierError> VzdumpRun::verify() {
  auto info = (*m_api)->read_volume(m_node, m_vz.storage, m_volume.volid);
  if (!info) return tier_error_of(info.error());
  m_path = info->path;
  m_notes_rest = m_notes_template_ok ? rest_lines(info->notes) : std::string();
  m_access = archive_access(m_storage, *info, m_node, m_config.proxmox.node);
  switch (m_access.route) {
    case ArchiveAccess::Route::pbs:
      // Just made: PBS's verify jobs have usually not seen it yet (a datastore with
      // verify-new has); later runs read the verdict from the listing again.
      m_state = pbs_state(m_volume);
      return std::nullopt;
    case ArchiveAccess::Route::not_verifiable:
      m_state = VerifyState::not_verifiable;
      m_warnings.push_back(
          "archive " + m_volume.volid + " is not verifiable here: " + m_access.why +
          ". It counts as a backup; its notes say \"" + notes_text(m_state) + "\".");
      return std::nullopt;
    case ArchiveAccess::Route::read_here:
      break;
  }
  ProgressOptions po;
  po.label = "vzdump: verify " + m_volume.volid;
  if (m_volume.size > 0) po.total = m_volume.size;
  ProgressReporter progress(std::move(po), monotonic_clock());
  m_check = verify_archive(m_path, [&](std::uint64_t n) { progress.advance(n); });
  progress.finish(m_check.verdict == ArchiveVerdict::unreadable ? "stopped" : "read");
  m_state =
      m_check.verdict == ArchiveVerdict::verified ? VerifyState::verified : VerifyState::failed;
  return std::nullopt;  // a failed verification is recorded and noted first (backup_outcome)
}

void VzdumpRun::record_backup() {
  BackupRecord record;
  record.target = m_target.name;
  record.vmid = m_target.vmid;
  record.node = m_node;
  record.storage = m_vz.storage;
  record.volid = m_volume.volid;
  record.path = m_path;
  record.run_id = m_ctx.run_id;
  record.ctime = m_volume.ctime;
  record.size = m_volume.size;
  record.sha256 = m_check.sha256;
  record.verdict = m_check.verdict;
  record.problem =
      m_access.route == ArchiveAccess::Route::not_verifiable ? m_access.why : m_check.problem;
  record.compression = m_check.compression;
  record.tar_entries = m_check.tar_entries;
  record.tar_bytes = m_check.tar_bytes;
  record.checked_at = rfc3339_utc(std::chrono::system_clock::to_time_t(m_ctx.run_start));
  record.task_exitstatus = m_task.exitstatus;
  record.notes_rest = m_notes_rest;
  record.verify_state = m_state;
  if (auto written = write_backup_record(m_config.state_dir, record); !written) {
    m_warnings.push_back("could not record the backup for `status`: " + written.error());
  }
}

PlanInput VzdumpRun::plan_input(const std::vector<proxmox::BackupVolume>& listing) const {
  PlanInput input;
  input.owner = m_owner;
  input.storage = m_vz.storage;
  input.vmid = m_target.vmid;
  input.prune_foreign = m_vz.prune_foreign;
  input.states = known_verify_states(m_config.state_dir, m_target.name, listing);
  return input;
}

void VzdumpRun::warn_about_new_pbs_failures(const std::vector<PlannedArchive>& plan) {
  for (const auto& a : plan) {
    if (!a.managed || a.verify != VerifyState::pbs_failed) continue;
    if (verify_state_of(a.volume.notes) == VerifyState::pbs_failed) continue;  // said before
    m_warnings.push_back("the Proxmox Backup Server's verify job failed for " + a.volume.volid +
                         ": it takes no retention slot from now on; check the datastore "
                         "(Datastore > Verify Jobs, `proxmox-backup-manager verify`)");
  }
}

void VzdumpRun::write_notes() {
  auto zone = ZoneCalendar::open(m_config.timezone);
  if (!zone) {
    m_warnings.push_back("notes not updated: " + zone.error());
    return;
  }
  PlanInput input = plan_input(m_listing);
  input.owned_override = {{m_volume.volid, m_ctx.run_id}};
  input.states[m_volume.volid] = m_state;
  const auto plan =
      plan_retention(m_listing, m_target.effective_retention(m_config.retention), *zone, input);
  warn_about_new_pbs_failures(plan);
  NotesSyncInput sync = notes_sync_input();
  sync.known_rest[m_volume.volid] = m_notes_rest;
  sync.verify_state[m_volume.volid] = m_state;
  const bool prune_follows = !is_failed(m_state) && !m_ctx.no_prune;
  if (prune_follows) {
    // The prune that follows (only after a backup that did not fail) deletes these;
    // rewriting their notes first is wasted work.
    for (const auto& a : plan) {
      if (a.managed && a.decision.mark == policies::Mark::remove &&
          a.volume.volid != m_volume.volid) {
        sync.skip.insert(a.volume.volid);
      }
    }
  }
  auto synced = sync_notes(**m_api, sync, plan, false);
  m_warnings.insert(m_warnings.end(), synced.warnings.begin(), synced.warnings.end());
  if (!prune_follows) return;
  // The prune that follows starts from the storage's current state: the read-back listing,
  // or this listing when nothing was written. Listing a third time would show the same.
  if (synced.listing_after) {
    m_listing_for_prune = std::move(*synced.listing_after);
  } else if (synced.written == 0 && synced.warnings.empty()) {
    m_listing_for_prune = m_listing;
  }
}

TierOutcome VzdumpRun::backup_outcome() const {
  TierOutcome out;
  out.backup_id = m_volume.volid;
  out.backup_bytes = m_volume.size;
  out.validation = validation_for(m_state);
  if (out.validation == Validation::ok) out.validation_ok = true;
  if (out.validation == Validation::failed) out.validation_ok = false;
  out.warnings = m_warnings;
  const std::string name = archive_short_name(m_volume.volid);
  if (m_state == VerifyState::failed) {
    out.state = TierState::failed;
    out.error = TierError{
        Kind::invalid,
        "archive " + m_volume.volid + " failed verification: " + m_check.problem +
            ". It is kept as evidence, marked \"verify FAILED\" in its notes, and takes no "
            "retention slot (a newer failed archive supersedes it); check the storage and "
            "the task log, then run the backup again."};
    return out;
  }
  if (m_state == VerifyState::pbs_failed) {
    out.state = TierState::failed;
    out.error = TierError{
        Kind::invalid,
        "the Proxmox Backup Server's verification of " + m_volume.volid +
            " failed. It is kept as evidence, marked \"PBS verify FAILED\" in its notes, and "
            "takes no retention slot; check the datastore, then run the backup again."};
    return out;
  }
  out.state = state_for(m_warnings);
  switch (m_state) {
    case VerifyState::verified:
      out.summary = name + " " + human_bytes(m_check.file_bytes) + " verified (" +
                    std::to_string(m_check.tar_entries) + " tar entries, sha256 " +
                    m_check.sha256.substr(0, 12) + ")";
      break;
    case VerifyState::pbs_verified:
      out.summary = name + " on PBS storage '" + m_vz.storage + "', verified by PBS";
      break;
    case VerifyState::pbs_pending:
      out.summary = name + " on PBS storage '" + m_vz.storage +
                    "', not yet verified by PBS (its verify jobs check it; later runs read "
                    "their verdict)";
      break;
    default:
      out.summary = name + " " + human_bytes(m_volume.size) + " made, not verifiable here";
      break;
  }
  return out;
}

std::optional<TierError> VzdumpRun::node_for_prune() {
  if (!m_node.empty()) return std::nullopt;  // backup() located the guest
  auto guest = (*m_api)->locate_guest(m_target.vmid);
  if (!guest) return tier_error_of(guest.error());
  if (guest->type != "lxc") {
    return TierError{Kind::refused, "guest " + std::to_string(m_target.vmid) + " is a " +
                                        shown(guest->type) + ", not a container (lxc)"};
  }
  m_node = guest->node;
  return std::nullopt;
}

TierOutcome VzdumpRun::prune() {
  if (m_ctx.no_prune) return skipped_outcome("pruning skipped (--no-prune)");
  if (!m_api) return failed_outcome(tier_error_of(m_api.error()));
  m_warnings.clear();  // backup()'s were reported with the backup
  // The node, unless backup() found it.
  if (auto e = node_for_prune()) return failed_outcome(*e);
  // This installation's id: which archives are ours.
  if (auto e = establish_ownership()) return failed_outcome(*e);
  // The storage as backup() left it, else as it is now, marked by the retention engine.
  auto plan = plan_prune();
  if (!plan) return failed_outcome(plan.error(), m_warnings);
  // Delete what the policy removes (not in a dry run); a failed delete is kept.
  PruneTally tally = delete_removed(*plan);
  // The notes of what stays say why; one whose delete failed says "remove pending".
  write_notes_after_prune(*plan, tally);
  return prune_outcome(std::move(tally));
}

tl::expected<std::vector<PlannedArchive>, TierError> VzdumpRun::plan_prune() {
  auto zone = ZoneCalendar::open(m_config.timezone);
  if (!zone) return tl::unexpected(TierError{Kind::local_io, "cannot prune: " + zone.error()});
  std::vector<proxmox::BackupVolume> listing;
  if (m_listing_for_prune) {
    listing = std::move(*m_listing_for_prune);
    m_listing_for_prune.reset();
  } else {
    auto listed = list_checked();
    if (!listed) return tl::unexpected(tier_error_of(listed.error()));
    listing = std::move(listed->volumes);
  }
  auto plan = plan_retention(listing, m_target.effective_retention(m_config.retention), *zone,
                             plan_input(listing));
  warn_about_new_pbs_failures(plan);
  return plan;
}

VzdumpRun::PruneTally VzdumpRun::delete_removed(const std::vector<PlannedArchive>& plan) {
  PruneTally t;
  t.plan.heading = "vzdump prune plan for " + m_target.name + " (" + ct(m_target) + ", storage " +
                   m_vz.storage + ")";
  for (const auto& a : plan) {
    if (!a.managed) {
      std::string why = !a.candidate ? "never pruned: " + a.not_candidate
                                     : "not made by this installation for this target "
                                       "(prune_foreign is off)";
      t.plan.lines.push_back({PlanLine::Action::keep, a.volume.volid, std::move(why)});
      continue;
    }
    if (a.decision.mark != policies::Mark::remove) {
      ++t.kept;
      t.kept_bytes += a.volume.size;
      for (const auto rule : a.decision.rules) ++t.kept_per_rule[rule];
      t.plan.lines.push_back({PlanLine::Action::keep, a.volume.volid, a.decision.reason});
      continue;
    }
    ++t.to_remove;
    t.plan.lines.push_back({PlanLine::Action::remove, a.volume.volid, a.decision.reason});
    if (m_ctx.dry_run) continue;
    // The name decides once more, right before the DELETE: only Proxmox's standard name of
    // this guest on this storage is ever deleted.
    if (auto why_not = deletion_candidate(a.volume, m_vz.storage, m_target.vmid)) {
      ++t.kept;
      t.kept_bytes += a.volume.size;
      t.warnings.push_back("not deleted: " + a.volume.volid + ": " + *why_not);
      continue;
    }
    if (auto why_not = still_deletable(a)) {
      ++t.kept;
      t.kept_bytes += a.volume.size;
      t.warnings.push_back("not deleted: " + a.volume.volid + ": " + *why_not);
      continue;
    }
    auto removed = (*m_api)->delete_volume(m_node, m_vz.storage, a.volume.volid,
                                           wait_options(m_options.delete_timeout));
    if (!removed) {
      // Kept until the next prune tries again.
      ++t.kept;
      t.kept_bytes += a.volume.size;
      proxmox::Error e = removed.error();
      e.message = shown(e.message);
      spdlog::warn("[{}] {}", m_target.name, e.message);
      t.errors.push_back(std::move(e));
      continue;
    }
    spdlog::info("[{}] AUDIT vzdump archive deleted: {} ({})", m_target.name, a.volume.volid,
                 a.decision.reason);
    t.deleted.insert(a.volume.volid);
    remove_backup_record(m_config.state_dir, m_target.name, a.volume.volid);
  }
  return t;
}

std::optional<std::string> VzdumpRun::still_deletable(const PlannedArchive& archive) {
  // The listing may be minutes old (it was read before the backup's verification): what
  // Proxmox says about the volume now decides. An operator who protected it or rewrote its
  // notes in the meantime wins.
  auto now = (*m_api)->read_volume(m_node, m_vz.storage, archive.volume.volid);
  if (!now) return "could not read it again before deleting (" + shown(now.error().message) + ")";
  if (now->is_protected) return "protected since the listing was read";
  if (!m_vz.prune_foreign && owned_run_id(m_owner, now->notes) != archive.run_id) {
    return "its notes no longer carry this installation's tag for this target";
  }
  return std::nullopt;
}

void VzdumpRun::write_notes_after_prune(const std::vector<PlannedArchive>& plan,
                                        PruneTally& tally) {
  NotesSyncInput input = notes_sync_input();
  input.skip = tally.deleted;
  auto synced = sync_notes(**m_api, input, plan, m_ctx.dry_run);
  tally.warnings.insert(tally.warnings.begin(), m_warnings.begin(), m_warnings.end());
  tally.warnings.insert(tally.warnings.end(), synced.warnings.begin(), synced.warnings.end());
  for (const auto& p : synced.planned) {
    tally.plan.lines.push_back({PlanLine::Action::notes, p.volid, p.line});
  }
}

std::vector<std::string> VzdumpRun::mark_offsite(const std::set<std::string>& volids) {
  if (m_ctx.dry_run || volids.empty()) return {};
  const auto failed = [](const std::string& why) {
    return std::vector<std::string>{
        "the notes of the archives copied off-site were not updated (the next run does it): " +
        shown(why)};
  };
  if (!m_api) return failed(m_api.error().message);
  if (auto e = node_for_prune()) return failed(e->message);
  if (auto e = establish_ownership()) return failed(e->message);
  auto plan = plan_prune();
  if (!plan) return failed(plan.error().message);
  NotesSyncInput input = notes_sync_input();
  for (const auto& a : *plan) {
    if (!volids.count(a.volume.volid) || a.decision.mark != policies::Mark::keep) {
      input.skip.insert(a.volume.volid);
    }
  }
  return sync_notes(**m_api, input, *plan, false).warnings;
}

TierOutcome VzdumpRun::prune_outcome(PruneTally tally) const {
  TierOutcome out;
  out.warnings = std::move(tally.warnings);
  out.kept_count = tally.kept;
  out.kept_bytes = tally.kept_bytes;
  out.kept_per_rule = std::move(tally.kept_per_rule);
  out.removed_count = tally.deleted.size();
  out.plan = std::move(tally.plan);
  out.state = state_for(out.warnings);
  if (m_ctx.dry_run) {
    out.summary = "dry run: would keep " + std::to_string(tally.kept) + " and remove " +
                  std::to_string(tally.to_remove) + " agent-owned archives";
    return out;
  }
  out.summary = "kept " + std::to_string(tally.kept) + ", removed " +
                std::to_string(tally.deleted.size()) + " archives";
  if (!tally.errors.empty()) {
    TierError error = tier_error_of(tally.errors.front());
    error.message = std::to_string(tally.errors.size()) + " of " + std::to_string(tally.to_remove) +
                    " deletions failed (their notes say \"remove pending\"):";
    for (const auto& e : tally.errors) error.message += "\n  " + e.message;
    out.state = TierState::failed;
    out.error = std::move(error);
  }
  return out;
}

NotesSyncInput VzdumpRun::notes_sync_input() const {
  NotesSyncInput in;
  in.node = m_node;
  in.storage = m_vz.storage;
  in.target = m_target.name;
  in.vmid = m_target.vmid;
  in.installation_id = m_owner.installation_id.value_or("");
  in.state_dir = m_config.state_dir;
  return in;
}

}  // namespace agent
