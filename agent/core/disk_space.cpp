#include "agent/core/disk_space.hpp"

#include <sys/statvfs.h>

namespace agent {

std::optional<std::uint64_t> free_bytes(const std::filesystem::path& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.f_bavail) * static_cast<std::uint64_t>(st.f_frsize);
}

}  // namespace agent
