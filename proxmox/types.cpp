#include <charconv>
#include <string_view>

#include "proxmox/types.hpp"

namespace proxmox {
namespace {

bool list_contains(std::string_view list, std::int64_t vmid) {
  const std::string needle = std::to_string(vmid);
  std::size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find_first_of(", ;", start);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(start, end - start) == needle) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

bool Version::at_least(int major, int minor) const {
  int have_major = 0;
  int have_minor = 0;
  const std::string& text = release.empty() ? version : release;
  const char* p = text.data();
  const char* end = p + text.size();
  auto r = std::from_chars(p, end, have_major);
  if (r.ec != std::errc()) return false;
  if (r.ptr < end && *r.ptr == '.') std::from_chars(r.ptr + 1, end, have_minor);
  return have_major > major || (have_major == major && have_minor >= minor);
}

bool BackupJob::covers(std::int64_t guest) const {
  if (!vmid.empty()) return list_contains(vmid, guest);
  if (all) return !list_contains(exclude, guest);
  return false;  // pool jobs: membership is not known here
}

}  // namespace proxmox
