#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxmox/error.hpp"
#include "proxmox/http_transport.hpp"
#include "proxmox/pct_config.hpp"
#include "proxmox/types.hpp"

// The Proxmox VE API client: the operations the agent needs, over one HttpTransport (one
// reused connection per run). What it relies on: docs/proxmox-api.md.
namespace proxmox {

// Retries of idempotent requests (GETs) on transient failures (transport errors, timeouts,
// 5xx except 500/501: pveproxy answers every handler error as 500, which repeats
// deterministically, e.g. "storage 'x' does not exist").
struct RetryPolicy {
  int attempts = 3;  // total tries, including the first
  std::chrono::milliseconds first_delay{500};
  std::chrono::milliseconds max_delay{8000};
};

struct ClientOptions {
  std::string token_id;  // "user@realm!name": tasks started by the agent carry it as user
  RetryPolicy retry;
  // Time seams for tests; default to std::this_thread::sleep_for and steady_clock.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::chrono::steady_clock::time_point()> now;
  // Wall clock in epoch seconds, compared with the starttime of the node's tasks (the agent
  // runs on a cluster node, whose clocks agree); default system_clock.
  std::function<std::int64_t()> epoch_now;
  // Lost-answer adoption (start_vzdump): how many lines of a candidate task's log are read
  // looking for its "starting new backup job:" line, and how long a candidate that has not
  // logged it yet (waiting for the node's vzdump lock, or running a job-init hook) is waited
  // for before giving up without posting again.
  std::int64_t adoption_log_lines = 200;
  std::chrono::seconds adoption_wait{15 * 60};
};

// One entry a listing claimed to be a backup of the guest, refused by list_backups_checked.
struct RejectedVolume {
  std::string volid;   // as sent (may hold anything: escape it before printing)
  std::string reason;  // why it was refused
};

struct BackupListing {
  std::vector<BackupVolume> volumes;  // this guest's lxc backups, sorted by ctime
  std::vector<RejectedVolume> rejected;
};

// How to wait for a task.
struct WaitOptions {
  std::chrono::seconds timeout{3 * 3600};  // then the task is stopped and waiting fails
  std::chrono::milliseconds first_poll{250};
  std::chrono::milliseconds max_poll{5000};
  // Called once per task-log line, in order, as the task runs (progress for the agent's log).
  std::function<void(const std::string&)> on_log_line;
};

struct ClientStats {
  std::uint64_t requests = 0;  // every request sent, retries included
  std::uint64_t polls = 0;     // of which task status/log requests made while waiting
};

class Client {
 public:
  explicit Client(std::unique_ptr<HttpTransport> transport, ClientOptions options = {});

  // GET /version
  Result<Version> version();
  // The guest `vmid` from GET /cluster/resources?type=vm (any node of a cluster; follows a
  // migration). not_found when the token cannot see it (VM.Audit) or it does not exist.
  Result<ClusterGuest> locate_guest(std::int64_t vmid);
  // GET /nodes/{node}/{type}/{vmid}/status/current
  Result<GuestStatus> guest_status(const std::string& node, std::int64_t vmid,
                                   const std::string& type = "lxc");

  // POST /nodes/{node}/vzdump; returns the task's UPID. A `data` of "OK" (the guest is not on
  // `node`, nothing started) is Error{not_found}. The POST is never blindly repeated: after a
  // failure that may hide a started task (transport error, timeout, 502-504/595/596), the
  // node's vzdump tasks of this guest and token started since the POST, running or already
  // finished, are looked up (GET /nodes/{node}/tasks?source=all&since=..). In each, the
  // "starting new backup job:" line is searched in the first options.adoption_log_lines lines
  // (upstream logs job-init hook output and the global-lock wait before it); a task whose line
  // carries request.log_marker is adopted, one whose line does not is another run's. A
  // candidate still running without that line yet is waited for, up to
  // options.adoption_wait. Only when no candidate can be ours is the POST sent again; when the
  // lookup fails, or a candidate cannot be decided in time, the original error is returned
  // (saying so) rather than risk a second backup.
  Result<std::string> start_vzdump(const std::string& node, const VzdumpRequest& request);

  Result<TaskStatus> task_status(const std::string& node, const std::string& upid);
  // Lines after the first `skip` lines, at most `limit` of them (0: all the rest).
  Result<TaskLogPage> task_log(const std::string& node, const std::string& upid, std::int64_t skip,
                               std::int64_t limit = 0);
  // DELETE /nodes/{node}/tasks/{upid}
  Result<void> stop_task(const std::string& node, const std::string& upid);
  // GET /nodes/{node}/tasks?typefilter=..&vmid=..&source=active|all[&since=epoch], newest
  // first.
  Result<std::vector<TaskSummary>> list_tasks(const std::string& node, const std::string& type,
                                              std::int64_t vmid, bool active_only,
                                              std::optional<std::int64_t> since = std::nullopt);
  // Polls with backoff until the task stops, streaming its log to options.on_log_line. OK and
  // "WARNINGS: n" succeed; any other exit status is Error{task_failed} carrying it and the log
  // tail. On timeout the task is stopped and Error{timeout} returned.
  Result<TaskResult> wait_task(const std::string& node, const std::string& upid,
                               const WaitOptions& options);

  // Backups of `vmid` on `storage` (content=backup), only subtype lxc, sorted by ctime; what
  // list_backups_checked keeps.
  Result<std::vector<BackupVolume>> list_backups(const std::string& node,
                                                 const std::string& storage, std::int64_t vmid);
  // The same, and the entries that claimed to be this guest's lxc backups but were refused:
  // an unsafe volid (traversal, control characters, not under backup/), another storage's
  // prefix, or a name that says another guest type or vmid than the `subtype`/`vmid` fields.
  // Each volume carries BackupName (standard name or renamed, PBS snapshot, other).
  Result<BackupListing> list_backups_checked(const std::string& node, const std::string& storage,
                                             std::int64_t vmid);
  Result<VolumeInfo> read_volume(const std::string& node, const std::string& storage,
                                 const std::string& volid);
  Result<void> update_volume(const std::string& node, const std::string& storage,
                             const std::string& volid, const VolumeUpdate& update);
  // DELETE the volume and wait for its imgdel task (a protected volume makes the task fail).
  Result<TaskResult> delete_volume(const std::string& node, const std::string& storage,
                                   const std::string& volid, const WaitOptions& options);

  // GET /cluster/backup (scheduled backup jobs).
  Result<std::vector<BackupJob>> backup_jobs();
  // GET /storage/{storage} (needs Datastore.Allocate on it).
  Result<StorageConfig> storage_config(const std::string& storage);
  // GET /nodes/{node}/storage: the storages of `node` the token may see (Datastore.Audit or
  // Datastore.AllocateSpace; others are left out silently).
  Result<std::vector<StorageStatus>> node_storages(const std::string& node);
  // One of them; Error{not_found} when it does not exist or the token cannot see it.
  Result<StorageStatus> node_storage(const std::string& node, const std::string& storage);
  // GET /nodes/{node}/vzdump/defaults?storage=..: the options vzdump applies there, merged
  // (Datastore.Audit suffices). nullopt when the node does not have the endpoint (HTTP 501
  // "Method ... not implemented", or 404: nodes older than pve-manager 6.4): then fall back to
  // storage_config() and the storage's own prune-backups.
  Result<std::optional<VzdumpDefaults>> vzdump_defaults(const std::string& node,
                                                        const std::string& storage);

  // GET /access/permissions?path=<acl path>: the privileges this token holds on `acl_path`
  // (e.g. "/pool/smokerbak-drill", "/storage/local-lvm"): what `config check --api` compares
  // with what a restore drill needs. Names that are not privilege-shaped are dropped.
  Result<std::vector<std::string>> permissions(const std::string& acl_path);

  // ---- containers (restore drills, coverage) ------------------------------------------
  // GET /nodes/{node}/lxc/{vmid}/config (VM.Audit): the current configuration.
  Result<LxcConfig> lxc_config(const std::string& node, std::int64_t vmid);
  // GET /nodes/{node}/vzdump/extractconfig?volume=<volid>: the configuration text the archive
  // carries (needs Datastore.AllocateSpace on its storage and VM.Backup on its owner).
  Result<std::string> extract_config_text(const std::string& node, const std::string& volid);
  // The same, parsed (parse_pct_conf).
  Result<LxcConfig> extract_config(const std::string& node, const std::string& volid);
  // POST /nodes/{node}/lxc restore=1 ...: the `vzrestore` task's UPID (wait_task it). Sent
  // once (never repeated: a second create of the same vmid fails "already exists").
  Result<std::string> restore_container(const std::string& node, const LxcRestoreRequest& request);
  // POST /nodes/{node}/lxc/{vmid}/status/start | stop (VM.PowerMgmt): `vzstart` / `vzstop`
  // task UPIDs. Upstream refuses synchronously with 500 "CT <vmid> already running" / "CT
  // <vmid> not running".
  Result<std::string> start_container(const std::string& node, std::int64_t vmid);
  Result<std::string> stop_container(const std::string& node, std::int64_t vmid);
  // DELETE /nodes/{node}/lxc/{vmid}?purge=1&destroy-unreferenced-disks=1 (VM.Allocate): the
  // `vzdestroy` task's UPID. Upstream refuses a running CT ("container is running"), a
  // protected one ("protection mode enabled") and a locked one ("CT is locked (..)"), and on
  // success also deletes the ACL entries on /vms/<vmid> (pve-access-control AccessControl.pm
  // remove_vm_access): privileges granted there do not survive the first drill.
  Result<std::string> destroy_container(const std::string& node, std::int64_t vmid,
                                        bool purge = true, bool destroy_unreferenced_disks = true);
  // GET /cluster/nextid?vmid=<vmid>: whether any guest of the cluster has that vmid, also one
  // the token cannot see (cluster/resources hides guests without VM.Audit). true = in use.
  Result<bool> vmid_in_use(std::int64_t vmid);

  // GET /nodes/{node}/storage/{storage}/prunebackups?type=lxc&vmid=..: how the storage's own
  // prune-backups setting would mark this guest's backups (needs only Datastore.Audit).
  Result<std::vector<PruneMark>> storage_prune_preview(const std::string& node,
                                                       const std::string& storage,
                                                       std::int64_t vmid);

  const ClientStats& stats() const { return m_stats; }

 private:
  Result<Response> call(const Request& request);  // one send, non-200 decoded as Error
  Result<Response> call_with_retry(const Request& request);
  // What the lookup after a lost vzdump answer found (see start_vzdump).
  struct Adoption {
    std::optional<std::string> upid;  // the task to adopt
    std::string undecided;            // non-empty: a candidate that cannot be ruled out
  };
  Adoption find_started_vzdump(const std::string& node, const VzdumpRequest& request,
                               std::int64_t since, Error& lookup_error);
  // Reads the log of `upid` from line `from` for the job's command line, up to `limit` lines.
  struct LogScan {
    std::optional<std::string> command_line;
    std::int64_t read = 0;   // lines read so far (the next start)
    std::int64_t total = 0;  // lines in the log
  };
  Result<LogScan> scan_for_command_line(const std::string& node, const std::string& upid,
                                        LogScan from, std::int64_t limit);
  void sleep(std::chrono::milliseconds d);

  std::unique_ptr<HttpTransport> m_transport;
  ClientOptions m_options;
  ClientStats m_stats;
};

}  // namespace proxmox
