#include "agent/coverage/mount_coverage.hpp"

#include "agent/core/safe_text.hpp"
#include "agent/coverage/mongod_location.hpp"

namespace agent::coverage {
namespace {

std::string shown(const std::string& text) {
  return escape_control_chars(text.substr(0, 256), Tabs::escape);
}

std::string fix_for(const MountRow& row, std::int64_t vmid, const std::string& raw) {
  const std::string vm = std::to_string(vmid);
  if (row.key == "lxc.mount.entry") {
    return "a raw lxc.mount.entry is never in a vzdump archive: back up its source " +
           shown(row.volume) + " on the host separately, or list " + shown(row.mp) +
           " under coverage.accept_uncovered";
  }
  if (row.type == "bind") {
    return "a bind mount is never in a vzdump archive: back up the host path " + shown(row.volume) +
           " separately, move the data to a volume mount point with " + "backup=1, or list " +
           shown(row.mp) + " under coverage.accept_uncovered";
  }
  if (row.type == "device") {
    return "a device mount is never in a vzdump archive: back up " + shown(row.volume) +
           " separately, or list " + shown(row.mp) + " under coverage.accept_uncovered";
  }
  std::string with_backup;
  for (const auto& [k, v] : proxmox::parse_property_string(raw, "volume")) {
    if (k == "backup") continue;
    with_backup += (with_backup.empty() ? "" : ",") + (k == "volume" ? v : k + "=" + v);
  }
  return "set backup=1 on " + row.key + " (pct set " + vm + " -" + row.key + " " +
         shown(with_backup) + ",backup=1), or list " + shown(row.mp) +
         " under coverage.accept_uncovered";
}

// "SOURCE DEST TYPE OPTIONS [DUMP [PASS]]" (fstab form); DEST is relative to the rootfs.
std::optional<MountRow> raw_entry(const std::string& value) {
  std::vector<std::string> f;
  std::size_t i = 0;
  while (i < value.size() && f.size() < 6) {
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    const std::size_t s = i;
    while (i < value.size() && value[i] != ' ' && value[i] != '\t') ++i;
    if (i > s) f.push_back(value.substr(s, i - s));
  }
  if (f.size() < 2) return std::nullopt;
  const auto mp = normal_absolute("/" + f[1]);
  if (!mp) return std::nullopt;
  MountRow row;
  row.key = "lxc.mount.entry";
  row.mp = *mp;
  row.volume = f[0];
  row.type = f.size() > 3 && f[3].find("bind") != std::string::npos ? "bind" : "device";
  if (f.size() > 2 && f[2] != "none" && row.type != "bind") row.type = "device";
  row.reason = "not a volume";
  return row;
}

}  // namespace

std::vector<MountRow> mount_rows(const proxmox::LxcConfig& config, const CoverageConfig& coverage,
                                 std::int64_t vmid) {
  std::vector<MountRow> rows;
  for (const auto& m : config.mounts) {
    MountRow row;
    row.key = m.key;
    row.mp = normal_absolute(m.mp).value_or(m.mp);
    row.volume = m.volume;
    row.type = proxmox::to_string(m.type);
    row.in_backup = m.in_backup;
    row.reason = m.reason;
    if (!row.in_backup) row.fix = fix_for(row, vmid, m.raw);
    rows.push_back(std::move(row));
  }
  for (const auto& [key, value] : config.lxc) {
    if (key != "lxc.mount.entry") continue;
    if (auto row = raw_entry(value)) {
      row->fix = fix_for(*row, vmid, value);
      rows.push_back(std::move(*row));
    }
  }
  for (auto& row : rows) {
    if (row.in_backup) continue;
    for (const auto& accepted : coverage.accept_uncovered) {
      const auto a = normal_absolute(accepted);
      if (a && path_within(row.mp, *a)) row.accepted = true;
    }
  }
  return rows;
}

const MountRow* mount_holding(const std::vector<MountRow>& rows, const std::string& path) {
  const MountRow* best = nullptr;
  for (const auto& r : rows) {
    if (r.mp.empty() || r.mp.front() != '/' || !path_within(path, r.mp)) continue;
    if (!best || r.mp.size() > best->mp.size()) best = &r;
  }
  return best;
}

}  // namespace agent::coverage
