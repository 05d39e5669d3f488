#include "agent/vzdump/killed_run.hpp"

#include <spdlog/spdlog.h>

#include "agent/core/human_format.hpp"
#include "agent/core/installation_id.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/vzdump/api_errors.hpp"
#include "agent/vzdump/archive_access.hpp"
#include "agent/vzdump/archive_verifier.hpp"
#include "agent/vzdump/backup_record.hpp"
#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/owner_tag.hpp"
#include "proxmox/backup_name.hpp"
#include "proxmox/response_parser.hpp"
#include "proxmox/task_log.hpp"

namespace agent {
namespace {

std::string shown(std::string_view text) { return escape_control_chars(text, Tabs::escape); }

}  // namespace

std::vector<std::string> reconcile_started_task(proxmox::Client& api, const Config& config,
                                                const TargetConfig& target,
                                                const std::string& upid_text,
                                                const VzdumpTierOptions& options) {
  std::vector<std::string> out;
  const VzdumpConfig& vz = *target.vzdump;
  auto upid = proxmox::parse::upid(upid_text);
  if (!upid || upid->type != "vzdump") {
    out.push_back("the journal names no vzdump task (\"" + shown(upid_text) +
                  "\"): nothing to adopt");
    return out;
  }
  const std::string task = "vzdump task " + shown(upid_text);
  auto status = api.task_status(upid->node, upid_text);
  if (!status) {
    out.push_back("could not look up " + task + ": " + tier_error_of(status.error()).message +
                  "; if it made an archive, it shows as not verified until it is read");
    return out;
  }
  // Wait for it as long as a backup may take: a second vzdump would queue behind it anyway.
  proxmox::WaitOptions wait;
  wait.timeout = options.backup_timeout;
  wait.first_poll = options.first_poll;
  wait.max_poll = options.max_poll;
  std::optional<proxmox::ArchiveLine> line;
  wait.on_log_line = [&](const std::string& text) {
    if (!line) line = proxmox::parse_archive_line(text);
  };
  if (status->running) out.push_back(task + " of the killed run is still running: waiting for it");
  auto result = api.wait_task(upid->node, upid_text, wait);
  if (!result) {
    out.push_back(task +
                  " of the killed run did not end well: " + tier_error_of(result.error()).message);
    return out;
  }
  if (!line) {
    out.push_back(task + " ended " + shown(result->exitstatus) +
                  " but its log names no archive; nothing adopted");
    return out;
  }
  const std::string volid = proxmox::archive_volid(*line, vz.storage);
  if (proxmox::parse_backup_volid(volid).form == proxmox::BackupNameForm::unsafe) {
    out.push_back(task + " names an archive the agent does not accept (\"" + shown(volid) + "\")");
    return out;
  }
  auto listing = api.list_backups(upid->node, vz.storage, target.vmid);
  const proxmox::BackupVolume* volume = nullptr;
  if (listing) {
    for (const auto& v : *listing) {
      if (v.volid == volid) volume = &v;
    }
  }
  if (!volume) {
    out.push_back(task + " ended " + shown(result->exitstatus) + " but its archive " + volid +
                  " is not listed on storage '" + vz.storage + "'");
    return out;
  }
  auto id = read_installation_id(config.state_dir);
  Ownership owner{id ? *id : std::nullopt, target.name};
  const auto run_id = owned_run_id(owner, volume->notes);
  if (!run_id) {
    out.push_back(volid + " does not carry this installation's tag for " + target.name +
                  ": not adopted");
    return out;
  }
  auto info = api.read_volume(upid->node, vz.storage, volid);
  auto storage = api.node_storage(upid->node, vz.storage);
  if (!info || !storage) {
    out.push_back("adopted " + volid + " (run " + *run_id +
                  ") but could not look at it now; it stays \"not verified\" until a run reads it");
    return out;
  }
  BackupRecord record;
  record.target = target.name;
  record.vmid = target.vmid;
  record.node = upid->node;
  record.storage = vz.storage;
  record.volid = volid;
  record.path = info->path;
  record.run_id = *run_id;
  record.ctime = volume->ctime;
  record.size = volume->size;
  record.task_exitstatus = result->exitstatus;
  record.notes_rest = rest_lines(info->notes);
  record.checked_at =
      rfc3339_utc(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
  const ArchiveAccess access = archive_access(*storage, *info, upid->node, config.proxmox.node);
  std::string what;
  switch (access.route) {
    case ArchiveAccess::Route::read_here: {
      const ArchiveCheck check = verify_archive(info->path);
      record.sha256 = check.sha256;
      record.verdict = check.verdict;
      record.problem = check.problem;
      record.compression = check.compression;
      record.tar_entries = check.tar_entries;
      record.tar_bytes = check.tar_bytes;
      record.verify_state =
          check.verdict == ArchiveVerdict::verified ? VerifyState::verified : VerifyState::failed;
      what = check.verdict == ArchiveVerdict::verified
                 ? "read here: verified (" + human_bytes(check.file_bytes) + ", sha256 " +
                       check.sha256.substr(0, 12) + ")"
                 : "read here: verify FAILED (" + check.problem + ")";
      break;
    }
    case ArchiveAccess::Route::pbs:
      record.verify_state = pbs_state(*volume);
      what = std::string("on PBS: ") + notes_text(*record.verify_state);
      break;
    case ArchiveAccess::Route::not_verifiable:
      record.verify_state = VerifyState::not_verifiable;
      record.problem = access.why;
      what = "not verifiable here: " + access.why;
      break;
  }
  if (auto written = write_backup_record(config.state_dir, record); !written) {
    out.push_back("adopted " + volid + " but could not record it: " + written.error());
    return out;
  }
  out.push_back(task + " of the killed run ended " + shown(result->exitstatus) + "; adopted " +
                volid + " (run " + *run_id + "), " + what);
  return out;
}

}  // namespace agent
