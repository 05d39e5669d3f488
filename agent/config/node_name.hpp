#pragma once

#include <optional>
#include <string>
#include <string_view>

// The Proxmox node name of this host (proxmox.node): PVE names a node by the host name up to
// its first dot (PVE::INotify::nodename), and node names are DNS labels (pve-cluster's
// pvecm add/create check: letters, digits and '-', not starting or ending with '-', at most
// 63 characters).
namespace agent::config_checks {

// gethostname() up to the first '.'; "localhost" when it fails.
std::string this_host_node_name();

std::optional<std::string> check_node_name(std::string_view value);

}  // namespace agent::config_checks
