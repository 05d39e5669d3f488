#include "agent/vzdump/archive_access.hpp"

#include "agent/core/safe_text.hpp"
#include "proxmox/storage.hpp"

namespace agent {

ArchiveAccess archive_access(const proxmox::StorageStatus& storage,
                             const proxmox::VolumeInfo& volume, const std::string& queried_node,
                             const std::string& local_node) {
  using Route = ArchiveAccess::Route;
  if (storage.kind() == proxmox::StorageKind::pbs) return {Route::pbs, ""};
  switch (proxmox::volume_locality(storage, volume, queried_node, local_node)) {
    case proxmox::VolumeLocality::local_file:
      return {Route::read_here, ""};
    case proxmox::VolumeLocality::other_node:
      return {Route::not_verifiable, "storage '" + storage.storage +
                                         "' is local to each node and the archive is on node " +
                                         queried_node + ", while this agent runs on node " +
                                         local_node + " (proxmox.node); run the agent on " +
                                         queried_node + " or back up to a shared storage"};
    case proxmox::VolumeLocality::not_a_file:
      break;
  }
  if (storage.kind() == proxmox::StorageKind::external) {
    return {Route::not_verifiable,
            "storage '" + storage.storage + "' is of type " +
                escape_control_chars(storage.type, Tabs::escape) +
                " (a backup provider or plugin): Proxmox gives no file to read"};
  }
  return {Route::not_verifiable, "Proxmox gives no local file path for it (path \"" +
                                     escape_control_chars(volume.path, Tabs::escape) + "\")"};
}

}  // namespace agent
