#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// A container's configuration as Proxmox keeps it (pve-container src/PVE/LXC/Config.pm), read
// from GET /nodes/{node}/lxc/{vmid}/config (a JSON object) or from the text a backup archive
// carries (GET /nodes/{node}/vzdump/extractconfig: the archive's ./etc/vzdump/pct.conf,
// written by write_pct_config without snapshots, pending changes or lock).
namespace proxmox {

using PropertyList = std::vector<std::pair<std::string, std::string>>;

// pve-common JSONSchema.pm parse_property_string: split on ',' (no quoting), skip blank
// parts, "key=value" pairs, and one part without '=' is the value of the format's default key
// (passed as `default_key`, e.g. "volume" for mount points; "" keeps it under key "").
PropertyList parse_property_string(std::string_view text, std::string_view default_key = "");
// The inverse (values must not contain ','): default key first and bare when `bare_default`.
std::string print_property_string(const PropertyList& props, std::string_view default_key = "",
                                  bool bare_default = false);
// JSONSchema.pm parse_boolean: 1|on|yes|true -> true, 0|off|no|false -> false (any case).
std::optional<bool> parse_pve_boolean(std::string_view text);

// One netN entry (Config.pm $netconf_desc: name, bridge, hwaddr, ip, gw, ip6, gw6, firewall,
// tag, trunks, rate, mtu, link_down, host-managed, type).
struct NetInterface {
  int index = 0;    // N of netN (0..31, MAX_LXC_NETWORKS)
  std::string key;  // "net0"
  std::string raw;  // the value as configured
  PropertyList props;
  std::string get(std::string_view prop) const;  // "" when absent
  bool link_down() const;
};

// One rootfs / mpN entry and whether vzdump includes it: Config.pm classify_mountpoint (an
// absolute path under /dev/ is a device, any other absolute path a bind mount, the rest a
// storage volume) and mountpoint_backup_enabled (rootfs always; bind and device mounts never,
// "not a volume"; volumes only with backup=1, else "disabled"). vzdump logs the excluded ones
// as "excluding <type> mount point <key> ('<mp>') from backup (<reason>)" (pve-container
// src/PVE/VZDump/LXC.pm prepare).
struct MountPoint {
  enum class Type { volume, bind, device };
  std::string key;  // "rootfs", "mp0" .. "mp255"
  std::string raw;
  std::string volume;  // "local-lvm:vm-106-disk-1", "/srv/data" or "/dev/sdb1"
  std::string mp;      // path inside the container ("/" for rootfs)
  Type type = Type::volume;
  std::optional<bool> backup;  // the backup= flag as configured
  bool in_backup = false;
  std::string reason;  // "rootfs", "enabled", "disabled" or "not a volume" (upstream's words)
};
const char* to_string(MountPoint::Type type);  // "volume", "bind", "device"

struct LxcConfig {
  PropertyList entries;     // every key: value as read (lxc.* raw keys in `lxc`), in order
  PropertyList lxc;         // raw "lxc.*" keys (e.g. lxc.mount.entry: another way to bind-mount)
  std::string description;  // decoded (the '#' comment lines of the file form)
  std::vector<NetInterface> nets;     // ordered by index
  std::vector<MountPoint> mounts;     // rootfs first, then mpN by index
  std::vector<std::string> devices;   // devN values (passthrough devices, never in a backup)
  std::vector<std::string> warnings;  // lines or values that could not be read (skipped)

  std::optional<std::string> get(std::string_view key) const;
  std::string hostname() const;
  std::string tags() const;  // ';'-separated, "" when none
  std::string lock() const;
  bool flag(std::string_view key) const;  // onboot, protection, template, unprivileged
};

// The file form (parse_pct_config of the main section: blank lines skipped; "#<text>" lines
// are the description, URI-escaped UTF-8 (pve-common ParseUtils.pm decode_text); "lxc.<key>:
// value" or "lxc.<key> = value" raw keys; "<key>: <value>" with key [a-z][a-z_]*\d*; the first
// "[section]" header ends it). At most 4096 lines and 1 MiB are read; the rest is a warning.
LxcConfig parse_pct_conf(std::string_view text);

// Builds nets/mounts/devices from `entries` (used by both readers).
void classify_entries(LxcConfig& config);

// The netN parameters a restore drill passes to POST /nodes/{node}/lxc so the copy cannot
// take the original's place on the network: every interface of the archived config, as it
// was, with link_down=1 and without hwaddr (the server then gives it a new random MAC,
// Config.pm parse_lxc_network). Upstream trap: with unique=1, pve-container
// src/PVE/LXC/Create.pm sanitize_and_merge_config replaces every given netN with the
// archived one plus a new MAC, silently dropping link_down; so a drill must not send unique=1
// together with these.
PropertyList drill_network_params(const LxcConfig& archived);

// POST /nodes/{node}/lxc with restore=1 (pve-container src/PVE/API2/LXC.pm create_vm; the
// worker is a `vzrestore` task). Permissions upstream checks: VM.Allocate on /vms/<vmid> or on
// /pool/<pool> when `pool` is given; Datastore.AllocateSpace on `storage`; reading the archive
// of another guest needs Datastore.AllocateSpace on its storage and VM.Backup on its owner
// (Storage.pm check_volume_access); netN needs VM.Config.Network (+ SDN.Use on the bridge),
// onboot/protection/description VM.Config.Options, tags VM.Config.Options (and Sys.Modify for
// privileged tags, GuestHelpers.pm assert_tag_permissions). A vmid in use anywhere in the
// cluster fails with "CT <vmid> already exists on node '<node>'" (Cluster.pm
// check_vmid_unused). Keys the archived config has and this request does not set are restored
// as they were (Create.pm sanitize_and_merge_config), e.g. onboot=1 or protection=1 of the
// original: hence both are sent as 0 by default. Bind and device mount points of the archived
// config make the restore fail for anyone but root@pam ("restoring 'mp0' to bind mount is only
// possible for root").
struct LxcRestoreRequest {
  std::int64_t vmid = 0;
  std::string archive;  // the backup volid, sent as ostemplate
  std::string storage;  // target storage of rootfs and volume mount points (content rootdir)
  std::optional<std::string> pool;
  bool unique = false;  // see drill_network_params: unique=1 discards given netN
  PropertyList nets;    // {"net0", "name=eth0,...,link_down=1"}, ...
  bool start = false;   // start after the restore (sent as start=0|1)
  std::optional<bool> onboot = false;
  std::optional<bool> protection = false;
  std::optional<std::string> tags;         // ';'- or ','-separated
  std::optional<std::string> description;  // the config comment
};

}  // namespace proxmox
