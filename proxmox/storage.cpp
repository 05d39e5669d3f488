#include "proxmox/storage.hpp"

namespace proxmox {

StorageKind storage_kind(std::string_view type) {
  if (type == "dir" || type == "nfs" || type == "cifs" || type == "cephfs" || type == "btrfs") {
    return StorageKind::file;
  }
  if (type == "pbs") return StorageKind::pbs;
  return StorageKind::external;
}

const char* to_string(StorageKind kind) {
  switch (kind) {
    case StorageKind::file:
      return "file";
    case StorageKind::pbs:
      return "pbs";
    case StorageKind::external:
      return "external";
  }
  return "external";
}

StorageKind StorageStatus::kind() const { return storage_kind(type); }

bool StorageStatus::has_content(const std::string& wanted) const {
  std::size_t start = 0;
  while (start <= content.size()) {
    std::size_t end = content.find(',', start);
    if (end == std::string::npos) end = content.size();
    if (content.compare(start, end - start, wanted) == 0) return true;
    start = end + 1;
  }
  return false;
}

VolumeLocality volume_locality(const StorageStatus& storage, const VolumeInfo& volume,
                               std::string_view queried_node, std::string_view local_node) {
  if (storage.kind() != StorageKind::file || volume.path.empty() || volume.path.front() != '/') {
    return VolumeLocality::not_a_file;
  }
  if (!storage.shared && queried_node != local_node) return VolumeLocality::other_node;
  return VolumeLocality::local_file;
}

}  // namespace proxmox
