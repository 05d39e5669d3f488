#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxmox/types.hpp"

// What a backup volid says by itself, decided from the text alone (no storage lookup), the
// way upstream decides it:
//  - volid = <storage>:<volname>, storage per pve-storage Plugin.pm parse_volume_id
//    ([a-z][a-z0-9-_.]*[a-z0-9], any case);
//  - directory-type storages: volname "backup/<file>" with <file> ending in
//    .tgz|.tar[.gz|.lzo|.zst|.bz2]|.vma[...] (Storage.pm BACKUP_EXT_RE_2); a file named
//    vzdump-(lxc|openvz|qemu)-... has that guest type even when renamed (Storage.pm
//    archive_info), and only vzdump-<type>-<vmid 3..9 digits>-YYYY_MM_DD-hh_mm_ss.<ext> is a
//    standard name (archive_info is_std_name: the only files upstream prune ever removes);
//  - PBS: volname "backup/<type>/<id>/<YYYY-MM-DDThh:mm:ssZ>" (PBSPlugin.pm parse_volname;
//    listed only with type ct|vm and a numeric id, list_volumes);
//  - anything else that is safe is `other` (backup providers name archives with
//    [A-Za-z0-9-.+=_], '/' and ':', BackupProvider/Plugin/Base.pm backup_init).
// Unsafe (never to be deleted or read): no storage prefix, a volname outside "backup/", path
// traversal ("..", ".", empty segments, a leading '/'), a backslash, control characters,
// invalid UTF-8, or more than 1024 bytes.
namespace proxmox {

BackupName parse_backup_volid(std::string_view volid);

// The backup extension of a file name ("tar.zst", "tgz", "vma.gz"), or "" when it has none.
std::string backup_extension(std::string_view filename);

}  // namespace proxmox
