#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

// Where MongoDB keeps its data, read from what the container says (docs/coverage.md): mongod's
// command line (`ps -e -o args=`, or a Docker container's Path/Args from `docker inspect`), its
// configuration file (YAML `storage.dbPath`, or the legacy `dbpath = ...` form) and a Docker
// container's mounts. Everything here parses untrusted text: bounded, never throws; what
// cannot be read is an error string saying so.
namespace agent::coverage {

// mongod's built-in default when neither the command line nor a configuration file names one.
inline constexpr std::string_view k_default_dbpath = "/data/db";

// The part of mongo.command that names a container runtime: "sudo docker exec -i mongo" ->
// {before: "sudo", tool: "docker", container: "mongo"}. nullopt when the prefix does not run
// `docker exec` or `podman exec`.
struct ContainerPrefix {
  std::string before;  // the words before the tool ("" or e.g. "sudo", "env X=1")
  std::string tool;    // "docker" | "podman"
  std::string container;
};
std::optional<ContainerPrefix> container_prefix(std::string_view command);

// What mongod's arguments say about its data directory.
struct MongodArgs {
  std::optional<std::string> dbpath;       // --dbpath X | --dbpath=X
  std::optional<std::string> config_file;  // --config X | -f X | --config=X
};
MongodArgs parse_mongod_args(const std::vector<std::string>& args);

// The arguments of each mongod process in `ps -e -o args=` output (the words after the
// program, whose file name is "mongod"). Arguments are split on blanks: ps does not quote them.
std::vector<std::vector<std::string>> mongod_processes(std::string_view ps_output);

// storage.dbPath of a mongod configuration file (YAML), or `dbpath=` of the legacy INI form;
// nullopt when the file sets none; an error when it cannot be read as either.
tl::expected<std::optional<std::string>, std::string> dbpath_from_config(std::string_view text);

// One entry of a container's Mounts.
struct ContainerMount {
  std::string type;         // "bind", "volume", "tmpfs", ...
  std::string source;       // the path on the container's host (the LXC), "" for tmpfs
  std::string destination;  // the path inside the container
};
// The facts of one container from `docker inspect` (a JSON array of one object).
struct ContainerFacts {
  std::vector<std::string> command;  // Path then Args
  std::vector<ContainerMount> mounts;
};
tl::expected<ContainerFacts, std::string> parse_container_inspect(std::string_view json_text);

// mongod's arguments in a container's command: after a word whose file name is "mongod"; or,
// for the official image's entrypoint (docker-entrypoint.sh), Args starting with '-'. nullopt
// when the command does not run mongod.
std::optional<std::vector<std::string>> mongod_in_container(
    const std::vector<std::string>& command);

// Where a path inside the container lies on its host: below the mount whose destination is
// the longest prefix of `path` (source + the rest), nullopt when no mount holds it (the
// container's own writable layer). tmpfs mounts map to "" (in memory: nowhere on disk).
std::optional<std::string> host_path(const std::vector<ContainerMount>& mounts,
                                     const std::string& path);

// An absolute, normalised path ("/a/b", no "." or ".." parts, no trailing '/'); nullopt for a
// relative or empty one.
std::optional<std::string> normal_absolute(std::string_view path);
// True when `path` is `dir` or lies below it (both normal_absolute).
bool path_within(const std::string& path, const std::string& dir);

}  // namespace agent::coverage
