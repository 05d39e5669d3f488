#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
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
  std::string tags;    // ';'-separated as PVE stores them, "" when none
  bool template_ = false;

  bool is_container() const { return type == "lxc"; }
};

// GET /nodes/{node}/lxc/{vmid}/status/current
struct GuestStatus {
  std::int64_t vmid = 0;
  std::string status;  // "running" | "stopped"
  std::string name;
  std::string lock;  // empty when not locked
  std::string tags;  // ';'-separated, "" when none
};

// Parameters of POST /nodes/{node}/vzdump that the agent uses.
struct VzdumpRequest {
  std::int64_t vmid = 0;
  std::string mode = "snapshot";  // snapshot | suspend | stop
  std::string storage;
  std::string compress = "zstd";  // 0 | 1 | gzip | lzo | zstd
  std::string notes_template;     // sent as notes-template when not empty (PVE >= 7.2)
  bool remove = false;            // the agent prunes itself: always sends remove=0 by default
  // Sent when set. notification-mode: auto | legacy-sendmail | notification-system (PVE >=
  // 8.1, default auto: without mailto, every vzdump goes through Proxmox's notification
  // system). mailto: comma-separated addresses or user names (deprecated upstream, used by
  // auto/legacy-sendmail). pbs-change-detection-mode: legacy | data | metadata (PVE >= 8.2;
  // only read for container backups to a Proxmox Backup Server storage). Sent as they are;
  // vzdump_option_error() (vzdump_options.hpp) applies upstream's schema for config checks.
  std::optional<std::string> notification_mode;
  std::optional<std::string> mailto;
  std::optional<std::string> pbs_change_detection_mode;
  // Not sent. Text that the first line of this request's task log contains (vzdump logs its
  // command line there, notes-template included), e.g. the run id of the agent's notes. When
  // the answer to the POST is lost, a task of this guest is adopted only if its log has it;
  // empty: any vzdump task of this guest and token started since the POST is adopted.
  std::string log_marker;
};

// A decoded UPID (docs/proxmox-api.md section 5).
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

// One item of GET /nodes/{node}/tasks. Upstream (pve-manager PVE/API2/Tasks.pm node_tasks)
// writes two forms: tasks from the index (finished) have `user` split into user and `tokenid`
// for token tasks, plus `endtime` and `status`; tasks from the active list are not split and
// carry `status: RUNNING` while they run. `user` here is always the joined form.
struct TaskSummary {
  std::string upid;
  std::string type;
  std::string id;
  std::string user;  // "smokerbak@pve!agent" for a token task, whichever form was sent
  std::int64_t starttime = 0;
  bool running = false;  // no endtime, and status absent or RUNNING (any case)
  std::string status;    // exit status when finished; "RUNNING" while running (upstream)
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

// The last Proxmox Backup Server verification of a snapshot (`verification` of a content
// listing item, pve-storage PBSPlugin.pm list_volumes; absent until a verify job ran).
struct Verification {
  std::string state;  // "ok" | "failed" (PBS SnapshotVerifyState); other values as sent
  std::string upid;   // the PBS verify task
};

// What a backup volid says by itself (parse_backup_volid in backup_name.hpp).
enum class BackupNameForm {
  vzdump_file,   // <storage>:backup/vzdump-<type>-... (directory-type storages)
  pbs_snapshot,  // <storage>:backup/<ct|vm>/<id>/<YYYY-MM-DDThh:mm:ssZ> (PBS)
  other,         // any other safe name (backup providers, files not named vzdump-*)
  unsafe,        // traversal, control characters, no "backup/" volname: never touch it
};

struct BackupName {
  BackupNameForm form = BackupNameForm::unsafe;
  std::string storage;     // before the first ':'
  std::string volname;     // after it, "backup/..."
  std::string guest_type;  // "lxc" | "qemu" | "openvz" from the name; "" when it says none
  std::optional<std::int64_t> vmid;  // from the name (standard names and PBS snapshots)
  // Proxmox's standard name: upstream prune may remove it (pve-storage Storage.pm archive_info
  // is_std_name; PBS snapshots always). A renamed vzdump-lxc-* file is not standard: upstream
  // marks it `renamed` and never prunes it, yet lists it with subtype lxc.
  bool standard = false;
  std::string reason;  // why the name is unsafe (form == unsafe)
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
  std::string format;   // "tar.zst", "tar.gz", ... ; "pbs-ct" on PBS; a provider's own
  // PBS only (others never send it): nullopt = never verified.
  std::optional<Verification> verification;
  std::string encrypted;  // PBS: key fingerprint or "1" when encrypted; "" otherwise
  BackupName name;        // parse_backup_volid(volid), filled by the parser
};

// GET /nodes/{node}/storage/{storage}/content/{volume}
struct VolumeInfo {
  // PVE::Storage::path: an absolute file path on the node for directory-type storages; on
  // PBS the artificial "pbs://<user>@<server>:<datastore>/ct/106/<time>" (PBSPlugin.pm path);
  // a backup provider's plugin decides. Use volume_locality() before reading it.
  std::string path;
  std::uint64_t size = 0;
  std::uint64_t used = 0;
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

// How an archive can be read (storage.hpp).
enum class StorageKind {
  file,      // dir, nfs, cifs, cephfs, btrfs: vzdump archives are files under a path
  pbs,       // Proxmox Backup Server: snapshots, no file on any node
  external,  // any other type (backup providers of PVE >= 8.4, third-party plugins)
};

// One storage of GET /nodes/{node}/storage (pve-storage API2/Storage/Status.pm index, built by
// Storage.pm storage_info). Needs only Datastore.Audit or Datastore.AllocateSpace on the
// storage (others are left out of the list), unlike GET /storage/{id} (Datastore.Allocate).
struct StorageStatus {
  std::string storage;
  std::string type;      // plugin type: "dir", "nfs", "pbs", ...
  std::string content;   // comma-separated content types, e.g. "backup,iso,vztmpl"
  bool shared = false;   // same content on every node (nfs, cifs, cephfs, pbs are always shared)
  bool active = false;   // activated on this node
  bool enabled = false;  // not disabled and available on this node (storage.cfg `nodes`)
  std::uint64_t total = 0;
  std::uint64_t used = 0;
  std::uint64_t avail = 0;

  StorageKind kind() const;
  bool has_content(const std::string& type) const;
};

// GET /nodes/{node}/vzdump/defaults?storage=X (pve-manager PVE/API2/VZDump.pm defaults): what
// vzdump applies for that storage: /etc/vzdump.conf over the schema defaults, then the
// storage's prune-backups. Needs only Datastore.Audit or Datastore.AllocateSpace on the
// storage; without Sys.Audit on the node, mailto/tmpdir/dumpdir/script/ionice are left out.
struct VzdumpDefaults {
  std::string storage;
  // The effective retention as a property string ("keep-daily=7,keep-last=3"); upstream always
  // sends one: the storage's, else vzdump.conf's, else the schema default "keep-all=1".
  std::string prune_backups;
  std::string mode;
  std::string compress;
  std::string notes_template;
  std::string notification_mode;
  std::string mailto;  // "" when unset or hidden (no Sys.Audit)
  std::optional<bool> remove;
  std::optional<bool> is_protected;
  std::vector<std::pair<std::string, std::string>> all;  // every key as sent, values as text
};

// One item of GET /nodes/{node}/storage/{storage}/prunebackups (the server's dry run).
struct PruneMark {
  // The server's words "keep", "remove", "protected", "renamed" (docs/proxmox-api.md
  // section 8); any other word makes the answer unparsable.
  enum class Mark { keep, remove, protected_backup, renamed };
  std::string volid;
  std::int64_t ctime = 0;
  Mark mark = Mark::keep;
};

}  // namespace proxmox
