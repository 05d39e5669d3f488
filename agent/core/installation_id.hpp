#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

// The installation id: twelve lowercase hex digits made once per installation and kept in
// `<state_dir>/installation-id` (one line, mode 0644: it is no secret, it only tells this
// installation's backups from another's on a shared storage). The vzdump notes tag carries it
// (agent/vzdump/owner_tag.hpp). Copy the file along with state_dir when moving the agent to
// another host, or its earlier archives become foreign to it (never pruned, never deleted).
namespace agent {

inline constexpr std::size_t k_installation_id_chars = 12;

// True for exactly twelve characters 0-9 a-f.
bool is_installation_id(std::string_view text);

std::filesystem::path installation_id_path(const std::filesystem::path& state_dir);

// The id on file: nullopt when there is none yet; an error when the file exists but cannot be
// read or does not hold an id (it is never replaced silently: archives tagged with the old id
// would become foreign).
tl::expected<std::optional<std::string>, std::string> read_installation_id(
    const std::filesystem::path& state_dir);

// The id on file, made (from the kernel's random source) and written atomically first when
// there is none.
tl::expected<std::string, std::string> ensure_installation_id(
    const std::filesystem::path& state_dir);

}  // namespace agent
