#pragma once

#include <filesystem>
#include <string>

#include <tl/expected.hpp>

// This installation's identity: a random 128-bit id, made once and kept in
// state_dir/installation-id. It tags what the agent owns outside this host (the off-site
// objects' `smokerbak-owner` metadata), so that two hosts sharing a bucket or a storage never
// delete each other's backups. A rebuilt host that restores state_dir keeps its id.
namespace agent {

inline constexpr const char* k_installation_id_file = "installation-id";

// The id (32 lowercase hex digits): read from the file, or made and written (atomically, mode
// 0644) when there is none. An existing file with other content is an error, never replaced.
tl::expected<std::string, std::string> installation_id(const std::filesystem::path& state_dir);

// Reads the id without creating one; empty when there is no (valid) file.
std::string read_installation_id(const std::filesystem::path& state_dir);

}  // namespace agent
