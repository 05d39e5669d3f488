#pragma once

#include <string>

#include "proxmox/types.hpp"

// How the agent checks an archive, by the kind of storage it lies on (docs/vzdump-storages.md,
// "Storage kinds"):
//  - read_here: a file on a storage with a local path that this host sees (dir, NFS, CIFS,
//    CephFS, BTRFS; shared, or node-local on this very node): read it completely;
//  - pbs: a Proxmox Backup Server snapshot: no file anywhere; PBS's verify jobs check it, and
//    the listing reports their verdict (`verification`), read again on every run;
//  - not_verifiable: no file this host can read: a node-local storage of another node (the CT
//    migrated), a backup provider or other plugin, or a path Proxmox does not give as an
//    absolute file. Never a failure.
namespace agent {

struct ArchiveAccess {
  enum class Route { read_here, pbs, not_verifiable };
  Route route = Route::not_verifiable;
  std::string why;  // for not_verifiable: one sentence saying why this host cannot read it
};

// `storage` as node `queried_node` reports it, `volume` as read there; this agent runs on node
// `local_node` (proxmox.node).
ArchiveAccess archive_access(const proxmox::StorageStatus& storage,
                             const proxmox::VolumeInfo& volume, const std::string& queried_node,
                             const std::string& local_node);

}  // namespace agent
