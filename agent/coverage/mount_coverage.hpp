#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/config/drill_config.hpp"
#include "proxmox/pct_config.hpp"

// Which of a container's mount points a vzdump archive holds (docs/coverage.md): rootfs always;
// a storage volume mpN only with backup=1; a bind mount (an absolute host path) and a device
// mount (a path under /dev/) never; nor a raw `lxc.mount.entry`, which vzdump does not see. An
// excluded mount point's path is excluded from the archive even where rootfs has files below
// it (pve-container's VZDump/LXC.pm adds it to the exclude list).
namespace agent::coverage {

struct MountRow {
  std::string key;     // "rootfs", "mp0", "lxc.mount.entry"
  std::string mp;      // the path inside the container
  std::string volume;  // the volume, host path or device
  std::string type;    // "volume", "bind", "device"
  bool in_backup = false;
  std::string reason;     // upstream's words: "rootfs", "enabled", "disabled", "not a volume"
  bool accepted = false;  // under a path of coverage.accept_uncovered
  std::string fix;        // for a mount point not in the archive: what would put it there
};

// The rows of `config` (rootfs first, then mpN, then raw lxc.mount.entry lines), with
// `coverage.accept_uncovered` applied and the fix for each excluded one (`vmid` for the pct
// command line it suggests).
std::vector<MountRow> mount_rows(const proxmox::LxcConfig& config, const CoverageConfig& coverage,
                                 std::int64_t vmid);

// The row whose path is the longest prefix of `path` (an absolute path inside the container);
// nullptr when there is none (no rootfs row).
const MountRow* mount_holding(const std::vector<MountRow>& rows, const std::string& path);

}  // namespace agent::coverage
