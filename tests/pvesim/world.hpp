#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/pvesim/local_time.hpp"
#include "tests/pvesim/prune.hpp"
#include "tests/pvesim/simulator.hpp"

namespace pvesim {

// What a vzdump POST asked for, after validation.
struct VzdumpJob {
  std::int64_t vmid = 0;
  std::string storage;
  std::string mode = "snapshot";
  std::string compress = "0";
  std::optional<std::string> notes_template;  // already un-escaped? no: raw, expanded at end
  bool protect = false;
  bool remove = true;
  std::optional<std::string> prune_param;  // the API `prune-backups` parameter
  std::int64_t lockwait_minutes = 180;
  std::string command_line;   // for "starting new backup job: vzdump ..."
  bool may_backup = true;     // caller holds VM.Backup (checked inside the task, like PVE)
  bool may_allocate = false;  // caller holds Datastore.Allocate (protected cap)
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
  std::string archive_name;            // final file name in the dump dir
  std::vector<std::string> guest_log;  // the per-guest .log sidecar lines
};

// One backup archive file as the storage listing sees it.
struct BackupFile {
  std::string filename, volid, format, subtype, notes;
  std::filesystem::path path;
  std::int64_t vmid = 0, ctime = 0;
  std::uint64_t size = 0;
  bool standard = false, is_protected = false, has_notes = false;
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
  std::deque<TaskRecord> tasks;
  std::vector<Fault> faults;
  std::vector<std::string> backup_jobs;  // raw JSON objects
  Stats stats;
  std::vector<std::string> request_log;

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

  // Storage (caller holds mutex).
  bool has_storage(const std::string& storage) const;
  std::filesystem::path dump_dir(const std::string& storage) const;
  std::vector<BackupFile> list_backups(const std::string& storage) const;
  std::optional<BackupFile> find_backup(const std::string& storage,
                                        const std::string& filename) const;
  // The effective max-protected-backups for a caller (§3.5); -1 = unlimited.
  std::int64_t protected_cap(bool caller_has_allocate) const;
  std::string set_protected(const BackupFile& file, bool on, bool caller_has_allocate);
  std::string seed_backup(std::int64_t vmid, std::int64_t epoch, const std::string& notes,
                          bool is_protected);

  std::string format_local(std::int64_t epoch, bool for_filename) const;
  std::optional<Fault> take_fault(Fault::Kind kind, const std::string& method,
                                  const std::string& path);

 private:
  std::string make_upid(const std::string& node, const std::string& type, const std::string& id,
                        const std::string& user, TaskRecord& task);
  void begin_vzdump(TaskRecord& task, std::int64_t at);
  void finish_vzdump(TaskRecord& task);
  void fail_guest(TaskRecord& task, const std::string& reason, std::int64_t at);
  void end_task(TaskRecord& task, const std::string& exitstatus, std::int64_t at);
  void prune_after_backup(TaskRecord& task);

  std::int64_t m_anchor_sim = 0;
  std::chrono::steady_clock::time_point m_anchor_real;
  std::int64_t m_next_pid = 0x3A1F2C;
};

}  // namespace pvesim
