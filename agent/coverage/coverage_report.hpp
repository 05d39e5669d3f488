#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "agent/config/config.hpp"
#include "agent/core/output.hpp"
#include "agent/coverage/mount_coverage.hpp"
#include "proxmox/pct_config.hpp"

// The coverage preflight's verdicts (docs/coverage.md): what the container holds, which tier
// backs up each part, and what neither does. `assess` is pure (facts in, verdicts out); the
// facts are gathered by coverage_probe.hpp; the text and JSON forms are stable.
namespace agent::coverage {

// Where MongoDB keeps its data, as found over SSH.
struct DataLocation {
  std::string how;          // "process mongod" or "docker container mongo"
  std::string dbpath;       // mongod's dbPath (inside its container, for Docker)
  std::string dbpath_from;  // "command line", "config file /etc/mongod.conf", "default"
  std::string lxc_path;     // the same directory as the LXC sees it
  std::vector<std::string> notes;
};

// What the probes found about one target; an error string where a fact could not be read.
struct Facts {
  std::string node;
  std::optional<tl::expected<proxmox::LxcConfig, std::string>> lxc;  // with a vzdump tier
  std::optional<tl::expected<DataLocation, std::string>> data;       // with a mongo tier
  std::optional<tl::expected<std::vector<std::string>, std::string>> databases;  // ditto
};

enum class State { covered, accepted, note, uncovered, unknown };
const char* to_string(State state);  // "covered", "accepted", "note", "uncovered", "unknown"

struct DatabaseRow {
  std::string name;
  bool dumped = false;
  std::string why;  // "dumped", "system database", "coverage.skip_databases", "drill copy",
                    // "not dumped"
};

// One line of the verdict: a mount point, MongoDB's data directory or a database.
struct Finding {
  State state = State::covered;
  std::string subject;  // "mount rootfs", "mongod dbPath", "database smoker"
  std::string path;     // in the container, when there is one
  std::string by;       // "vzdump", "mongo", "vzdump+mongo", "none", "?"
  std::string message;
  std::string fix;  // what to do, for uncovered and unknown
};

struct TargetCoverage {
  std::string target;
  std::int64_t vmid = 0;
  std::string node;
  std::optional<std::vector<MountRow>> mounts;  // nullopt: not read (no vzdump tier or error)
  std::optional<DataLocation> data;
  std::optional<std::vector<DatabaseRow>> databases;
  std::vector<Finding> findings;

  std::size_t count(State state) const;
};

TargetCoverage assess(const TargetConfig& target, const Facts& facts);

// The exit code of `config check --coverage` over these reports: 0 when everything is covered
// or accepted, 3 when something is uncovered or could not be determined.
int coverage_exit_code(const std::vector<TargetCoverage>& reports);

// The human table (one block per target) and the JSON document {targets: [...], uncovered,
// unknown}.
std::string coverage_text(const std::vector<TargetCoverage>& reports);
std::string coverage_json(const std::vector<TargetCoverage>& reports);

// One sentence per uncovered or undetermined finding, "TARGET: SUBJECT (PATH): MESSAGE; fix:
// FIX", for warnings on stderr and in the log.
std::vector<std::string> coverage_warnings(const TargetCoverage& report);

}  // namespace agent::coverage
