#pragma once

#include <string>
#include <string_view>

#include "proxmox/types.hpp"

// Where a backup can be read from. Upstream facts:
//  - only dir, nfs, cifs, cephfs and btrfs plugins keep vzdump archives as files under the
//    storage's path (pve-storage Plugin.pm list_volumes reads backups from $scfg->{path};
//    those are the plugins declaring content `backup` besides pbs);
//  - PBS keeps snapshots on the backup server; PVE::Storage::path answers an artificial
//    "pbs://<repository>/<snapshot>" (PBSPlugin.pm path: "we currently do not use that");
//  - any other type is a third-party plugin, e.g. a backup provider (PVE >= 8.4,
//    BackupProvider/Plugin/Base.pm): its archives are reached through the provider only;
//  - a storage without `shared` holds different files on every node (Storage.pm
//    storage_info), so a path is only meaningful on the node the API was asked on.
namespace proxmox {

StorageKind storage_kind(std::string_view type);
const char* to_string(StorageKind kind);  // "file", "pbs", "external"

enum class VolumeLocality {
  local_file,  // a file on this host: read it
  other_node,  // a file on a node-local storage of another node than this host
  not_a_file,  // PBS, a backup provider, or a path that is not absolute: ask Proxmox
};

// Whether this host (node `local_node`) can read `volume` as a file, given the storage's
// status as reported by node `queried_node` (the node the volume was read on).
VolumeLocality volume_locality(const StorageStatus& storage, const VolumeInfo& volume,
                               std::string_view queried_node, std::string_view local_node);

}  // namespace proxmox
