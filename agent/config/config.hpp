#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/drill_config.hpp"
#include "agent/config/offsite_config.hpp"
#include "policies/retention_policy.hpp"

// The agent's configuration after loading and validation (docs/configuration.md lists every
// key). Plain data: loading, defaults, origins and validation live in config_loader.hpp.
namespace agent {

// A secret is never stored in the config file itself: it names a file (owned by root, mode
// 0600/0400) or a systemd credential under $CREDENTIALS_DIRECTORY. Read it with read_secret().
struct SecretRef {
  // The file to read. For a credential this is $CREDENTIALS_DIRECTORY/NAME when that variable
  // was set at load time (the only place it is read), otherwise the bare NAME, which
  // read_secret() refuses with what to do.
  std::filesystem::path path;
  bool from_credentials = false;
};

struct ProxmoxConfig {
  std::string api_url = "https://127.0.0.1:8006";  // "/api2/json" is appended by the client
  std::string token_id;                            // "user@realm!tokenname"
  SecretRef token_secret;
  std::optional<std::filesystem::path> ca_file = "/etc/pve/pve-root-ca.pem";
  std::optional<std::string> fingerprint;  // SHA-256, colon hex (either this or ca_file)
  int timeout_s = 30;
  // The Proxmox node this agent runs on (PVE names a node by its short host name): archives on
  // a node-local storage of another node cannot be read here ("not verifiable here"). The
  // loader's default is this host's short name.
  std::string node;
};

struct VzdumpConfig {
  std::string storage = "local";
  std::string mode = "snapshot";  // snapshot | suspend | stop
  std::string compress = "zstd";  // zstd | gzip | lzo | 0
  std::string notes = "{{guestname}} ({{node}})";
  bool prune_foreign = false;  // also prune backups without the agent's ownership tag
  // Passed to vzdump as notification-mode (PVE >= 8.1). legacy-sendmail without mailto sends
  // no notification: the agent's status, metrics and exit code report every night
  // (docs/configuration.md says why).
  std::string notification_mode =
      "legacy-sendmail";              // auto | legacy-sendmail | notification-system
  std::optional<std::string> mailto;  // passed as mailto when set
  // Passed as pbs-change-detection-mode to PBS storages only (PVE >= 8.2).
  std::optional<std::string> pbs_change_detection_mode;  // legacy | data | metadata
};

struct SshConfig {
  std::string host;
  int port = 22;
  std::string user = "root";
  std::filesystem::path identity_file;
  std::filesystem::path known_hosts;
  int connect_timeout_s = 15;
  int io_timeout_s = 120;  // a stream silent this long counts as stalled
};

// What the mongo tier accepts from the container at most (docs/configuration.md, "Limits on what
// a container sends"). The defaults suit a database of tens of GiB.
struct MongoLimits {
  int max_duration_s = 14400;  // a dump or restore running longer is stopped and fails
  // The inflated size cap: the previous valid backup's stored size x max_inflated_ratio (never
  // below 4 GiB), and never above max_inflated_bytes (0 = no ceiling).
  int max_inflated_ratio = 50;
  std::uint64_t max_inflated_bytes = 64ull << 30;
  int max_bson_depth = 200;                      // MongoDB's nesting limit (maxBSONDepth)
  std::uint64_t stderr_keep_bytes = 1ull << 20;  // of mongodump's stderr: this much head + tail
};

struct MongoConfig {
  SshConfig ssh;
  // Prefix before mongodump/mongorestore; "" runs them directly on the SSH host.
  std::string command = "docker exec -i mongo";
  // Empty with `oplog`: the whole instance (every database) is dumped.
  std::string database;
  // mongodump --oplog: a whole-instance dump consistent to one point in time on a replica set;
  // restore replays it (mongorestore --oplogReplay).
  bool oplog = false;
  MongoLimits limits;
  std::string username;
  std::string auth_db = "admin";
  SecretRef password;
  std::filesystem::path backup_dir;
  int shrink_warn_percent = 50;
};

struct TargetConfig {
  std::string name;
  std::int64_t vmid = 0;
  std::optional<policies::RetentionPolicy> retention;  // per-target override
  std::optional<VzdumpConfig> vzdump;                  // tier enabled when present
  std::optional<MongoConfig> mongo;                    // tier enabled when present
  std::optional<DrillConfig> drill;                    // restore drills (drill_config.hpp)
  CoverageConfig coverage;                             // the coverage preflight

  const policies::RetentionPolicy& effective_retention(
      const policies::RetentionPolicy& global) const {
    return retention ? *retention : global;
  }
};

struct Config {
  std::filesystem::path source_file;  // the file it was loaded from
  ProxmoxConfig proxmox;
  policies::RetentionPolicy retention;
  std::string timezone = "local";  // "local" or an IANA zone name
  std::filesystem::path state_dir = "/var/lib/pve-smokerbak";
  std::filesystem::path metrics_file = "/var/lib/prometheus/node-exporter/pve-smokerbak.prom";
  std::vector<TargetConfig> targets;
  EventsConfig events;    // pings and webhook (drill_config.hpp)
  OffsiteConfig offsite;  // off-site copies (agent/offsite); none when no destination is set

  const TargetConfig* find_target(const std::string& name) const {
    for (const auto& t : targets) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
};

}  // namespace agent
