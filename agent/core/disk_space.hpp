#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace agent {

// Bytes an unprivileged writer may still use on the file system holding `path` (statvfs
// f_bavail x f_frsize), or nullopt when it cannot be asked.
std::optional<std::uint64_t> free_bytes(const std::filesystem::path& path);

}  // namespace agent
