#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// Plain data returned by the Proxmox VE API client. Field names follow the API
// (docs/proxmox-api.md); optional fields are the ones the server omits when unset.
namespace proxmox {

// GET /version
struct Version {
  std::string version;  // full pve-manager version, e.g. "9.2.11"
  std::string release;  // "9.2"
  std::string repoid;

  // True when release is at least major.minor (notes-template and protected need 7.2).
  bool at_least(int major, int minor) const;
};

// One guest of GET /cluster/resources?type=vm.
struct ClusterGuest {
  std::int64_t vmid = 0;
  std::string node;
  std::string type;    // "lxc" | "qemu"
  std::string status;  // "running" | "stopped" | "unknown"
  std::string name;    // empty without RRD data
  std::string lock;    // empty when not locked, e.g. "backup" while a backup runs
  bool template_ = false;
};

// GET /nodes/{node}/lxc/{vmid}/status/current
struct GuestStatus {
  std::int64_t vmid = 0;
  std::string status;  // "running" | "stopped"
  std::string name;
  std::string lock;  // empty when not locked
};

// Parameters of POST /nodes/{node}/vzdump that the agent uses.
struct VzdumpRequest {
  std::int64_t vmid = 0;
  std::string mode = "snapshot";  // snapshot | suspend | stop
  std::string storage;
  std::string compress = "zstd";  // 0 | 1 | gzip | lzo | zstd
  std::string notes_template;     // sent as notes-template when not empty (PVE >= 7.2)
  bool remove = false;            // the agent prunes itself: always sends remove=0 by default
  // Not sent. Text that the first line of this request's task log contains (vzdump logs its
  // command line there, notes-template included), e.g. the run id of the agent's notes. When
  // the answer to the POST is lost, a task of this guest is adopted only if its log has it;
  // empty: any vzdump task of this guest and token started since the POST is adopted.
  std::string log_marker;
};

// A decoded UPID (docs/proxmox-api.md section 4).
struct Upid {
  std::string node;
  std::int64_t pid = 0;
  std::int64_t starttime = 0;  // epoch seconds
  std::string type;            // "vzdump", "imgdel", ...
  std::string id;              // "106", "106@local"
  std::string user;            // "root@pam" or the token id
};

// GET /nodes/{node}/tasks/{upid}/status
struct TaskStatus {
  std::string upid;
  bool running = false;
  std::string exitstatus;  // only when stopped: "OK", "WARNINGS: n" or the error text
  std::int64_t starttime = 0;
};

// One item of GET /nodes/{node}/tasks
struct TaskSummary {
  std::string upid;
  std::string type;
  std::string id;
  std::string user;
  std::int64_t starttime = 0;
  bool running = false;  // no endtime/status yet
  std::string status;    // exit status when finished
};

// One page of GET /nodes/{node}/tasks/{upid}/log
struct TaskLogPage {
  struct Line {
    std::int64_t n = 0;  // 1-based line number
    std::string text;
  };
  std::vector<Line> lines;
  std::int64_t total = 0;  // lines in the whole log
};

// How a finished task ended.
struct TaskResult {
  std::string upid;
  std::string exitstatus;             // "OK", "WARNINGS: n"
  int warnings = 0;                   // n of "WARNINGS: n"
  std::vector<std::string> log_tail;  // the last lines of the task log (up to 20)
};

// One backup of GET /nodes/{node}/storage/{storage}/content?content=backup.
struct BackupVolume {
  std::string volid;  // "local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst"
  std::uint64_t size = 0;
  std::int64_t ctime = 0;  // from the file name, node local time (not the mtime)
  std::string notes;       // first line only in listings; "" when unset
  bool is_protected = false;
  std::int64_t vmid = 0;
  std::string subtype;  // "lxc" | "qemu" | "unknown"
  std::string format;   // "tar.zst", "tar.gz", ...
};

// GET /nodes/{node}/storage/{storage}/content/{volume}
struct VolumeInfo {
  std::string path;  // absolute path on the node
  std::uint64_t size = 0;
  std::string format;
  std::string notes;  // full notes, "" when none
  bool is_protected = false;
};

// PUT /nodes/{node}/storage/{storage}/content/{volume}; unset fields are not sent.
struct VolumeUpdate {
  std::optional<std::string> notes;
  std::optional<bool> is_protected;
};

// One job of GET /cluster/backup (the scheduled backup jobs of the datacenter).
struct BackupJob {
  std::string id;
  bool enabled = true;
  bool all = false;
  std::string vmid;     // comma-separated vmid list, "" when all/pool
  std::string exclude;  // comma-separated vmid list
  std::string pool;
  std::string storage;
  std::string schedule;
  std::string prune_backups;  // "" when the job uses the storage's setting
  bool remove = true;         // vzdump default

  // True when the job backs up `vmid` (by vmid list, or all minus exclude).
  bool covers(std::int64_t vmid) const;
};

// GET /storage/{storage} (datacenter storage configuration).
struct StorageConfig {
  std::string storage;
  std::string type;
  std::string content;        // comma-separated content types
  std::string prune_backups;  // "" when unset (then vzdump keeps all)
  std::optional<int> max_protected_backups;
};

// One item of GET /nodes/{node}/storage/{storage}/prunebackups (the server's dry run).
struct PruneMark {
  std::string volid;
  std::int64_t ctime = 0;
  std::string mark;  // "keep" | "remove" | "protected" | "renamed"
};

}  // namespace proxmox
