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
  // failure that may hide a started task (transport error, timeout, 5xx/595/596), the node's
  // vzdump tasks of this guest and token started since the POST, running or already
  // finished, are looked up (GET /nodes/{node}/tasks?source=all&since=..) and one whose log
  // carries request.log_marker is adopted. Only when none exists is the POST sent again; when
  // the lookup itself fails, the original error is returned rather than risk a second backup.
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

  // Backups of `vmid` on `storage` (content=backup), only subtype lxc, sorted by ctime.
  Result<std::vector<BackupVolume>> list_backups(const std::string& node,
                                                 const std::string& storage, std::int64_t vmid);
  Result<VolumeInfo> read_volume(const std::string& node, const std::string& storage,
                                 const std::string& volid);
  Result<void> update_volume(const std::string& node, const std::string& storage,
                             const std::string& volid, const VolumeUpdate& update);
  // DELETE the volume and wait for its imgdel task (a protected volume makes the task fail).
  Result<TaskResult> delete_volume(const std::string& node, const std::string& storage,
                                   const std::string& volid, const WaitOptions& options);

  // GET /cluster/backup (scheduled backup jobs).
  Result<std::vector<BackupJob>> backup_jobs();
  // GET /storage/{storage}
  Result<StorageConfig> storage_config(const std::string& storage);

  // GET /nodes/{node}/storage/{storage}/prunebackups?type=lxc&vmid=..: how the storage's own
  // prune-backups setting would mark this guest's backups (needs only Datastore.Audit).
  Result<std::vector<PruneMark>> storage_prune_preview(const std::string& node,
                                                       const std::string& storage,
                                                       std::int64_t vmid);

  const ClientStats& stats() const { return m_stats; }

 private:
  Result<Response> call(const Request& request);  // one send, non-200 decoded as Error
  Result<Response> call_with_retry(const Request& request);
  // The task a lost vzdump POST started, if any (see start_vzdump); nullopt when none.
  Result<std::optional<std::string>> find_started_vzdump(const std::string& node,
                                                         const VzdumpRequest& request,
                                                         std::int64_t since);
  void sleep(std::chrono::milliseconds d);

  std::unique_ptr<HttpTransport> m_transport;
  ClientOptions m_options;
  ClientStats m_stats;
};

}  // namespace proxmox
