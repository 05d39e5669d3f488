#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

// The configuration of restore drills, the coverage preflight and events (docs/configuration.md,
// sections `drill`, `coverage`, `events`). Plain data, part of agent::Config (config.hpp);
// decoded by drill_schema.cpp.
namespace agent {

// One operator-supplied check of a mongo drill: at least `min_count` documents of the restored
// `collection` match `query` (MongoDB Extended JSON, e.g. {"ts": {"$gte": {"$date":
// "2025-01-01T00:00:00Z"}}}).
struct DrillMongoCheck {
  std::string collection;    // a collection of the dumped database ("temps")
  std::string query = "{}";  // Extended JSON text, a document
  std::uint64_t min_count = 1;
};

struct DrillMongoConfig {
  // Where the copy goes. Empty: scratch databases on the production server, renamed with
  // --nsFrom/--nsTo to "smokerbak_drill_<id>_<db>". Set: a separate scratch mongod
  // ("mongodb://host:port", no credentials in it), restored under the original names.
  std::string uri;
  // The command prefix for the drill's tools (mongorestore, mongosh); nullopt: the tier's
  // mongo.command. "" runs the tools directly.
  std::optional<std::string> command;
  std::string shell = "mongosh";  // mongosh | mongo (the legacy shell of MongoDB < 6)
  std::vector<DrillMongoCheck> checks;
  int timeout_s = 3600;  // the restore, and each shell call
};

// How the scratch container of a vzdump drill is checked once it runs: `command` (an argv, no
// shell) runs inside the copy through the node's `pct exec <scratch vmid> -- <command>` (the
// agent runs as root on the Proxmox node that holds the copy; the copy's network is down, so it
// cannot be reached otherwise), again every few seconds until it exits 0 or `timeout_s` passes.
struct DrillCheckConfig {
  std::vector<std::string> command;   // e.g. {"systemctl", "is-active", "docker"}
  std::filesystem::path pct = "pct";  // the pct program; a bare name is looked up on PATH
  int timeout_s = 300;                // until the command has answered with exit 0
};

struct DrillVzdumpConfig {
  std::int64_t vmid = 0;  // the scratch container's vmid (never the target's)
  std::string storage;    // where its disks go (content type rootdir)
  std::string pool;       // the resource pool the drill role is granted on; "" = none
  std::string node;       // "" = the node the target's guest runs on
  int restore_timeout_s = 3 * 3600;
  int boot_timeout_s = 300;
  std::optional<DrillCheckConfig> check;
};

struct DrillConfig {
  std::int64_t every_s = 90 * 86400;  // per tier: a drill is due this long after the last one
  bool in_run = true;                 // `run` performs due drills after the backups
  std::optional<DrillVzdumpConfig> vzdump;
  std::optional<DrillMongoConfig> mongo;
};

// What the coverage preflight accepts as deliberately not backed up.
struct CoverageConfig {
  // Paths inside the container (mount points, bind-mount targets) known not to be in vzdump
  // archives: reported as accepted, not warned about.
  std::vector<std::string> accept_uncovered;
  // Databases the mongo tier need not dump (besides admin, config, local and drill copies).
  std::vector<std::string> skip_databases;
  bool in_run = true;  // `run` warns about uncovered data before the backups
};

// Healthchecks-style pings and a generic webhook (HTTPS, certificates verified).
struct EventsConfig {
  std::string ping_start;    // "" = not sent
  std::string ping_success;  // after a run that did not fail
  std::string ping_fail;     // after a run in which a tier or a drill failed
  std::string webhook_url;   // one POST with a JSON body when a run ends (agent/events/)
  // A secret file whose content is sent as the Authorization header (e.g. "Bearer ...").
  std::optional<std::filesystem::path> webhook_authorization_file;
  bool webhook_include_messages = false;         // add error messages and warnings to the body
  std::optional<std::filesystem::path> ca_file;  // nullopt: the system CA store
  int timeout_s = 10;  // total per event: every attempt and the waits between them
  // Also accept http:// URLs to 127.0.0.1 / [::1] (a local relay; test receivers).
  bool allow_plain_loopback = false;

  bool any() const {
    return !ping_start.empty() || !ping_success.empty() || !ping_fail.empty() ||
           !webhook_url.empty();
  }
};

}  // namespace agent
