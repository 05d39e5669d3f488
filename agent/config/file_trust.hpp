#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

// Whether a local file may be trusted the way sshd's StrictModes trusts authorized_keys: a file
// someone else can change can redirect the agent (a config pointing proxmox.api_url at another
// server receives the API token) or replace a secret. Trusted means: the file and every
// directory above it (symlinks resolved) are owned by root or by the user running the agent,
// and none is writable by group or others. One exception, as for /tmp: a directory writable by
// others but with the sticky bit and owned by root, since nobody else can rename or remove what
// is inside it.
namespace agent {

// A sentence naming the problem and its fix, or nullopt when `file` may be trusted. `what`
// names the file for the operator ("configuration file", "secret file").
std::optional<std::string> untrusted_file_problem(const std::filesystem::path& file,
                                                  std::string_view what);

// A sentence when `dir` exists and is readable, writable or searchable by group or others
// (backups and state hold the database and the run history), nullopt otherwise. `key` names the
// setting in the fix.
std::optional<std::string> open_directory_problem(const std::filesystem::path& dir,
                                                  std::string_view key);

}  // namespace agent
