#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

// An in-process Proxmox VE API simulator for tests and the demo: an HTTPS server on
// 127.0.0.1:<ephemeral> with a throwaway CA, speaking the wire format described in
// docs/proxmox-api.md (envelopes, reason phrases, UPIDs, task logs, backup
// content of a directory storage with .notes/.protected/.log sidecars, imgdel, locks,
// per-token privileges). Archives are real .tar.zst (or .tar.gz / .tar) files.
namespace pvesim {

struct Guest {
  Guest() = default;
  Guest(std::int64_t id, std::string hostname, std::string on_node = "", std::string kind = "lxc",
        bool is_running = true)
      : vmid(id),
        name(std::move(hostname)),
        node(std::move(on_node)),
        type(std::move(kind)),
        running(is_running) {}

  std::int64_t vmid = 0;
  std::string name;  // CT hostname; used for {{guestname}} and `name` fields
  std::string node;
  std::string type = "lxc";
  bool running = true;
  // More configuration keys, in order, as GET .../config shows them and backups archive them
  // in ./etc/vzdump/pct.conf: e.g. {"mp0", "/srv/data,mp=/data"} (a bind mount), {"mp1",
  // "local:106/vm-106-disk-1.raw,mp=/var/lib/mongodb,backup=1,size=8G"}, {"net1", ...},
  // {"tags", "prod"}, {"onboot", "1"}, {"description", "..."}. Keys given here replace the
  // defaults (arch, cores, memory, rootfs, net0, ...).
  std::vector<std::pair<std::string, std::string>> config;
  std::string pool;  // resource pool membership ("" = none)
};

// A storage beside the main directory storage (Options::storage).
struct StorageSpec {
  enum class Kind {
    dir,       // files under data_dir/storage/<id>/dump, like the main storage
    pbs,       // a Proxmox Backup Server datastore: snapshots, no files (proxmox-api.md §7)
    provider,  // a backup provider plugin (PVE >= 8.4): archives the provider names
  };
  std::string id;
  Kind kind = Kind::dir;
  std::string prune_backups;                 // "" = none
  std::optional<int> max_protected_backups;  // unset: 5 / unlimited (docs/proxmox-api.md section 3)
  bool shared = false;                       // pbs and provider storages are always shared
  std::vector<std::string> nodes;            // available on these nodes only ("" = all)
  // pbs: the repository in pbs:// paths (PBSPlugin.pm path, PBSClient.pm get_repository).
  std::string pbs_server = "pbs.example.com";
  std::string pbs_datastore = "store1";
  std::string pbs_username = "smokerbak@pbs";
  // provider: the plugin type, provider_name() for the task log, the listing's format.
  std::string provider_type = "example-provider";
  std::string provider_name = "Example Provider";
  std::string provider_format = "provider-ct";
};

struct Token {
  Token() = default;
  Token(std::string id, std::string token_secret, std::set<std::string> privs = {},
        std::map<std::string, std::set<std::string>> acls = {})
      : token_id(std::move(id)),
        secret(std::move(token_secret)),
        privileges(std::move(privs)),
        acl(std::move(acls)) {}

  std::string token_id;  // "user@realm!name"
  std::string secret;
  // Privileges held on every ACL path, e.g. VM.Backup, VM.Audit, Datastore.AllocateSpace,
  // Datastore.Audit, Datastore.Allocate, Sys.Audit, Sys.Modify.
  std::set<std::string> privileges;
  // Privileges held on one ACL path and below it (propagated, as `pveum acl modify PATH
  // --propagate 1`), e.g. {"/vms/9106", {"VM.Allocate"}} or {"/pool/drill", {...}}: a guest in a
  // pool gets the pool's privileges on /vms/<vmid> (pve-access-control RPCEnvironment.pm).
  // Destroying a guest deletes the entries on /vms/<vmid> (AccessControl.pm remove_vm_access).
  std::map<std::string, std::set<std::string>> acl;
};

// The token used when Options::tokens is empty: every privilege.
Token default_token();

struct Options {
  std::filesystem::path data_dir;  // CA/cert files and storage directories go here
  std::vector<std::string> nodes = {"pve1"};
  std::vector<Guest> guests = {{106, "smartsmoker-cloud", "pve1"}};
  std::vector<Token> tokens;                // empty: {default_token()}
  std::vector<StorageSpec> extra_storages;  // besides `storage` (a dir storage)
  std::vector<std::string> pools;           // resource pools that exist
  std::string storage = "local";            // dir storage at data_dir/storage/<name>/dump
  std::string prune_backups;                // the storage's prune-backups; "" = none (keep-all)
  // The storage's max-protected-backups; unset: 5 / unlimited (docs/proxmox-api.md section 3).
  std::optional<int> max_protected_backups;
  std::string cluster_name;           // "" = standalone node ({{cluster}} = "standalone node")
  std::string node_timezone = "UTC";  // IANA name; archive names and ctime use node local time
  std::int64_t start_time = 0;        // simulated epoch at start (0 = real now)
  // false: the simulated clock also moves with real time; true: only set_time()/advance().
  bool freeze_clock = false;
  std::uint64_t archive_bytes = 1 << 20;  // uncompressed tar payload size of each archive
  double task_seconds = 2.0;              // simulated duration of a vzdump / imgdel task
  // > 0: a task also finishes once its status was polled this many times (tests need no
  // clock games); 0: only the clock decides.
  int task_finish_after_polls = 0;
  bool error_message_field = true;  // error bodies carry "message" (PVE >= 8.3)
  int auth_failure_delay_ms = 0;    // real PVE delays every 401 by 3000 ms
  std::string pve_version = "9.2.11";
  // The node's /etc/vzdump.conf ("key: value" lines, pve-manager PVE/VZDump.pm
  // read_vzdump_defaults): used by vzdump and by GET /nodes/{node}/vzdump/defaults.
  std::string vzdump_conf;
  bool vzdump_defaults_endpoint = true;  // false: 501, as on nodes before pve-manager 6.4
  // A job-init hook script's output, logged as "INFO: <line>" at the start of every vzdump
  // task, `job_init_seconds` before the task tries the node's vzdump lock (and so before
  // "starting new backup job: ..."), as PVE::VZDump->new does before getlock.
  std::vector<std::string> job_init_hook_lines;
  std::int64_t job_init_seconds = 0;
};

// Fault injection. Each fault arms the next `count` requests matching method/path_contains
// (request faults) or the next `count` vzdump tasks (task faults), or, for wrong_certificate,
// the next `count` TLS handshakes.
struct Fault {
  enum class Kind {
    http_status,        // answer `status` with `reason` (e.g. 500, 502, 503, 595, 596)
    slow,               // wait delay_ms, then answer normally
    drop_connection,    // close the TCP connection without any response
    task_job_errors,    // next vzdump task fails: "ERROR: Backup of VM .. failed", `job errors`
    truncated_archive,  // next vzdump writes an archive cut at half its size (task still OK)
    wrong_certificate,  // serve a leaf cert from the same CA whose fingerprint != the pin
  };
  Kind kind = Kind::http_status;
  int status = 500;
  std::string reason;  // "" = a default phrase for the status
  int delay_ms = 0;
  std::string method;         // "" = any
  std::string path_contains;  // "" = any API path
  int count = 1;
  // http_status / drop_connection: the request is handled first (a POST starts its task, a
  // DELETE its imgdel) and only then is the answer replaced by the fault, as when pveproxy
  // loses the proxied answer or the connection drops after the server acted.
  bool handle_first = false;

  static Fault of(Kind kind) {
    Fault f;
    f.kind = kind;
    return f;
  }
};

// Hostile behaviour (issue 11: everything from the API is untrusted). listing_entries and
// task_log_lines stay until clear_hostile(); the answer kinds arm the next `count` requests
// matching method/path_contains, like faults.
struct Hostile {
  enum class Kind {
    listing_entries,  // content listings of every storage also list `entries`: raw JSON object
                      // texts spliced in as they are (so they may hold invalid UTF-8)
    task_log_lines,   // every vzdump task logs `lines` right after its command line
    deep_json,        // 200 with {"data":[[[...]]]} nested `depth` levels
    huge_body,        // 200 whose body (a JSON list) streams `bytes` bytes, made chunk by chunk
    drip,             // 200 {"data":null} sent one byte every `interval_ms`
  };
  Kind kind = Kind::listing_entries;
  std::vector<std::string> entries;
  std::vector<std::string> lines;
  std::size_t depth = 100000;
  std::uint64_t bytes = 1ULL << 30;
  int interval_ms = 2000;
  std::string method;         // "" = any
  std::string path_contains;  // "" = any API path
  int count = 1;

  static Hostile of(Kind kind) {
    Hostile h;
    h.kind = kind;
    return h;
  }
};

// One API request as received, with its merged parameters (tests assert what a client sent).
struct RequestRecord {
  std::string method;
  std::string path;  // below /api2/json, decoded, e.g. "/nodes/pve1/lxc"
  std::map<std::string, std::string> params;
};

struct Stats {
  std::uint64_t requests = 0;  // API requests served (not /_sim/ control requests)
  std::uint64_t tasks_started = 0;
  std::uint64_t handshakes = 0;  // TLS handshakes (new connections)
};

// Thread-safe. The server runs on its own threads between start() and destruction.
class Simulator {
 public:
  explicit Simulator(Options options);
  ~Simulator();  // stops the server
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Makes CA and leaf certificate in data_dir/tls, the storage directory, binds
  // 127.0.0.1:0 and starts serving. The error names what failed.
  tl::expected<void, std::string> start();
  void stop();

  int port() const;
  std::string base_url() const;           // "https://127.0.0.1:PORT" (API under /api2/json)
  std::filesystem::path ca_file() const;  // PEM of the throwaway cluster CA
  std::string leaf_fingerprint() const;   // SHA-256, uppercase colon-hex, as `pvenode cert info`
  std::filesystem::path storage_dir(const std::string& storage = "") const;  // .../dump

  // Simulated clock: tasks progress with it, archive names come from it.
  std::int64_t now() const;
  void set_time(std::int64_t epoch);
  void advance(std::int64_t seconds);

  // State inspection / manipulation for tests.
  void migrate_guest(std::int64_t vmid, const std::string& node);
  void set_guest_lock(std::int64_t vmid, const std::string& lock);  // "" clears
  std::string guest_lock(std::int64_t vmid) const;
  std::vector<std::string> volids(const std::string& storage = "") const;  // sorted
  void set_protected(const std::string& volid, bool on);
  // Writes a finished backup archive (and .log) of `vmid` started at `epoch` directly,
  // as if an earlier vzdump had made it; returns its volid.
  // `storage` "" = the main storage; a PBS or provider storage gets a snapshot.
  std::string seed_backup(std::int64_t vmid, std::int64_t epoch, const std::string& notes = "",
                          bool is_protected = false, const std::string& storage = "");
  // PBS: what a verify job recorded for the snapshot `volid` ("ok" | "failed"; "" clears).
  void set_verification(const std::string& volid, const std::string& state,
                        const std::string& upid = "");
  // Guests as the simulator holds them now (restored ones included).
  std::optional<Guest> guest(std::int64_t vmid) const;
  std::vector<std::pair<std::string, std::string>> guest_config(std::int64_t vmid) const;
  std::vector<RequestRecord> requests() const;  // the last 10000 API requests

  void add_hostile(const Hostile& hostile);
  void clear_hostile();
  // Backup jobs returned by GET /cluster/backup (raw JSON object texts, e.g.
  // R"({"id":"backup-1","enabled":1,"vmid":"106","storage":"local","schedule":"21:00"})").
  void set_backup_jobs(std::vector<std::string> json_objects);

  Stats stats() const;
  std::uint64_t request_count() const;
  std::vector<std::string> request_log() const;  // "METHOD /api2/json/PATH", no query, no secrets

  void inject(const Fault& fault);
  void clear_faults();

  // Enables the cross-process control endpoints under /_sim/ (tests/pvesim/README.md),
  // authorised by the header `X-PveSim-Control: <secret>`; `on_shutdown` runs when a client
  // asks for POST /_sim/shutdown. Call before start().
  void enable_control(std::string secret, std::function<void()> on_shutdown);

  class Impl;

 private:
  std::unique_ptr<Impl> m_impl;
};

}  // namespace pvesim
