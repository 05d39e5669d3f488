#include "proxmox/task_log.hpp"

namespace proxmox {

std::optional<ArchiveLine> parse_archive_line(std::string_view line) {
  constexpr std::string_view k_head = "INFO: creating ";
  constexpr std::string_view k_mid = " archive '";
  if (line.rfind(k_head, 0) != 0 || line.size() < k_head.size() + k_mid.size() + 2 ||
      line.back() != '\'') {
    return std::nullopt;
  }
  const std::string_view rest = line.substr(k_head.size());
  const std::size_t mid = rest.find(k_mid);
  if (mid == std::string_view::npos || mid == 0) return std::nullopt;
  const std::string_view what = rest.substr(0, mid);
  const std::string_view target =
      rest.substr(mid + k_mid.size(), rest.size() - mid - k_mid.size() - 1);
  if (target.empty()) return std::nullopt;
  ArchiveLine out;
  out.what = std::string(what);
  out.target = std::string(target);
  if (what == "vzdump") {
    out.form = ArchiveLine::Form::vzdump;
  } else if (what == "Proxmox Backup Server") {
    out.form = ArchiveLine::Form::pbs;
  } else {
    out.form = ArchiveLine::Form::provider;
  }
  return out;
}

std::optional<ArchiveLine> find_archive_line(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    if (auto a = parse_archive_line(line)) return a;
  }
  return std::nullopt;
}

std::string archive_volid(const ArchiveLine& line, std::string_view storage) {
  std::string_view volname = line.target;
  if (line.form == ArchiveLine::Form::vzdump) {
    const std::size_t slash = volname.rfind('/');
    if (slash != std::string_view::npos) volname = volname.substr(slash + 1);
  }
  return std::string(storage) + ":backup/" + std::string(volname);
}

std::optional<std::string_view> job_command_line(std::string_view line) {
  constexpr std::string_view k_head = "INFO: starting new backup job: ";
  if (line.rfind(k_head, 0) != 0) return std::nullopt;
  return line.substr(k_head.size());
}

bool is_global_lock_wait(std::string_view line) {
  return line == "INFO: trying to get global lock - waiting...";
}

}  // namespace proxmox
