#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/pvesim/local_time.hpp"
#include "tests/pvesim/prune.hpp"
#include "tests/pvesim/simulator.hpp"

namespace pvesim {

// What a vzdump POST asked for, after validation (and after /etc/vzdump.conf defaults).
struct VzdumpJob {
  std::int64_t vmid = 0;
  std::string storage;
  std::string mode = "snapshot";
  std::string compress = "0";
  std::optional<std::string> notes_template;  // already un-escaped? no: raw, expanded at end
  bool protect = false;
  bool remove = true;
  std::optional<std::string> prune_param;  // the API `prune-backups` parameter
  std::optional<std::string> conf_prune;   // /etc/vzdump.conf's prune-backups
  std::int64_t lockwait_minutes = 180;
  std::string change_detection_mode;  // pbs-change-detection-mode ("" = not given)
  std::string command_line;           // for "starting new backup job: vzdump ..."
  bool may_backup = true;             // caller holds VM.Backup (checked inside the task, like PVE)
  bool may_allocate = false;          // caller holds Datastore.Allocate (protected cap)
};

// A restore / start / stop / destroy of a container (containers.cpp).
struct GuestJob {
  std::int64_t vmid = 0;
  std::map<std::string, std::string> params;  // the request's parameters
  std::string archive;                        // restore: the backup volid
  std::string archived_config;                // restore: the archive's pct.conf
  bool may_privileged = false;                // restore: Sys.Modify on /
};

struct TaskRecord {
  enum class State { waiting, running, stopped };
  std::string upid, node, type, id, user;
  std::int64_t pid = 0, pstart = 0, starttime = 0;
  State state = State::running;
  std::int64_t end = 0;  // simulated finish time (when running) / endtime (when stopped)
  std::string exitstatus;
  std::vector<std::string> log;
  int polls = 0;
  // vzdump only
  VzdumpJob job;
  bool fail_job_errors = false, truncate_archive = false;
  std::int64_t begin = 0;
  std::string archive_name;            // final file name in the dump dir (dir storages)
  std::string volname;                 // "backup/..." of the new archive, any storage kind
  std::vector<std::string> guest_log;  // the per-guest .log sidecar lines
  std::int64_t lock_at = 0;            // when the job-init phase ends and the lock is tried
  bool lock_tried = false, lock_waited = false;
  std::vector<std::string> extra_log;  // hostile lines logged after the command line
  // container tasks
  GuestJob guest_job;
};

// A backup on a PBS or backup-provider storage (no file on the node).
struct Snapshot {
  std::string volname;  // "backup/ct/106/2026-01-15T02:00:00Z" (PBS) or the provider's name
  std::int64_t vmid = 0;
  std::int64_t ctime = 0;
  std::uint64_t size = 0;
  std::string notes;  // full notes (PBS: the snapshot's notes; the listing shows the comment)
  bool has_notes = false, is_protected = false;
  std::string verify_state, verify_upid;  // "" = never verified
  std::string encrypted;                  // "" or a fingerprint / "1"
  std::string config;                     // the archived pct.conf
};

// One backup as the storage listing sees it: a file (dir storages) or a snapshot.
struct BackupFile {
  std::string filename, volid, format, subtype, notes;
  std::filesystem::path path;  // files only
  std::int64_t vmid = 0, ctime = 0;
  std::uint64_t size = 0;
  bool standard = false, is_protected = false, has_notes = false;
  std::string storage, volname;  // "local", "backup/<file>"
  bool is_file = true;
  std::string verify_state, verify_upid, encrypted;  // snapshots only
  std::string path_text;  // GET .../content/{volume} `path` (PVE::Storage::path)
};

// Hostile answers and data (issue 11), see Simulator::add_hostile.
struct HostileState {
  std::vector<std::string> listing_entries;  // raw JSON objects added to content listings
  std::vector<std::string> task_log_lines;   // logged by every vzdump after its command line
  std::vector<Hostile> answers;              // deep_json / huge_body / drip, armed
};

// The simulated cluster: clock, guests, locks, tasks, fault queue and statistics. Every
// member is guarded by `mutex`; the API handlers lock it once per request.
class World {
 public:
  explicit World(Options options);

  std::mutex mutex;
  Options options;
  TimeZone tz;
  std::map<std::int64_t, Guest> guests;
  std::map<std::int64_t, std::string> locks;
  std::set<std::int64_t> creating;  // restores in progress (config holds only the lock)
  std::deque<TaskRecord> tasks;
  std::vector<Fault> faults;
  std::vector<std::string> backup_jobs;  // raw JSON objects
  Stats stats;
  std::vector<std::string> request_log;
  std::vector<RequestRecord> requests;                     // the last 10000, with parameters
  std::map<std::string, StorageSpec> storages;             // the main dir storage included
  std::map<std::string, std::vector<Snapshot>> snapshots;  // of pbs and provider storages
  std::map<std::string, std::string> vzdump_conf;          // parsed Options::vzdump_conf
  std::vector<std::string> vzdump_conf_errors;
  HostileState hostile;

  // Clock (caller holds mutex).
  std::int64_t now() const;
  void set_time(std::int64_t epoch);

  // Progresses every task whose time has come (caller holds mutex).
  void tick();
  TaskRecord* find_task(const std::string& upid);
  // Starts a vzdump task (or queues it behind the node's global lock); returns its UPID.
  std::string start_vzdump(const std::string& node, const std::string& user, VzdumpJob job);
  // Runs an imgdel task for `volname` ("backup/<file>") at once; returns the task.
  TaskRecord& run_imgdel(const std::string& node, const std::string& storage,
                         const std::string& volname, const std::string& user);
  void stop_task(TaskRecord& task);
  void count_poll(TaskRecord& task);

  // Storage (caller holds mutex; storages.cpp).
  bool has_storage(const std::string& storage) const;
  const StorageSpec* storage_spec(const std::string& storage) const;
  std::filesystem::path dump_dir(const std::string& storage) const;
  std::vector<BackupFile> list_backups(const std::string& storage) const;
  std::optional<BackupFile> find_backup(const std::string& storage,
                                        const std::string& filename) const;
  std::optional<BackupFile> find_volume(const std::string& storage,
                                        const std::string& volname) const;
  // The effective max-protected-backups for a caller (docs/proxmox-api.md section 3);
  // -1 = unlimited.
  std::int64_t protected_cap(const std::string& storage, bool caller_has_allocate) const;
  std::string set_protected(const BackupFile& file, bool on, bool caller_has_allocate);
  void set_notes(const BackupFile& file, const std::string& notes);
  // Removes the archive and its sidecars; false when it did not exist.
  bool remove_volume(const std::string& storage, const std::string& volname);
  std::string seed_backup(std::int64_t vmid, std::int64_t epoch, const std::string& notes,
                          bool is_protected, const std::string& storage = "");
  // The archived configuration of a backup (the pct.conf member, or the snapshot's).
  std::optional<std::string> archived_config(const BackupFile& file) const;

  // Guests (containers.cpp).
  // The configuration GET .../config shows and backups archive (defaults + Guest::config).
  std::vector<std::pair<std::string, std::string>> guest_config(const Guest& g) const;
  std::string guest_config_text(const Guest& g) const;  // write_pct_config's format
  TaskRecord& start_guest_task(const std::string& node, const std::string& type,
                               const std::string& user, GuestJob job);
  // The privileges of `token` on ACL path `path` (global, ACL entries on it or above, and
  // pool ACLs for /vms/<vmid> of a guest in a pool).
  bool allowed(const Token& token, const std::string& path, const std::string& privilege) const;

  std::string format_local(std::int64_t epoch, bool for_filename) const;
  std::optional<Fault> take_fault(Fault::Kind kind, const std::string& method,
                                  const std::string& path);

 private:
  std::string make_upid(const std::string& node, const std::string& type, const std::string& id,
                        const std::string& user, TaskRecord& task);
  void begin_vzdump(TaskRecord& task, std::int64_t at);
  void finish_vzdump(TaskRecord& task);
  void finish_vzdump_snapshot(TaskRecord& task, const StorageSpec& spec);
  void finish_guest_task(TaskRecord& task);
  std::string effective_prune(const VzdumpJob& job) const;
  bool lock_busy_at(const TaskRecord& task, std::int64_t at) const;
  void fail_guest(TaskRecord& task, const std::string& reason, std::int64_t at);
  void end_task(TaskRecord& task, const std::string& exitstatus, std::int64_t at);
  void prune_after_backup(TaskRecord& task);

  std::int64_t m_anchor_sim = 0;
  std::chrono::steady_clock::time_point m_anchor_real;
  std::int64_t m_next_pid = 0x3A1F2C;
};

}  // namespace pvesim
