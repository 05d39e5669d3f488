#pragma once

#include <optional>
#include <string>
#include <string_view>

// Upstream's schema for the vzdump options the agent passes through (pve-guest-common
// PVE/VZDump/Common.pm confdesc), for `config check` before any night fails with a 400:
//  - notification-mode: enum auto | legacy-sendmail | notification-system (since
//    libpve-guest-common-perl 5.0.6, PVE 8.1; default auto);
//  - mailto: format email-or-username-list: split like PVE::Tools::split_list (on NUL if
//    present, else on ',', ';' and whitespace; empty list allowed), each item an e-mail
//    address or a user name (pve-common JSONSchema.pm pve_verify_email_or_username with
//    ParseUtils.pm EMAIL_RE / EMAIL_USER_RE);
//  - pbs-change-detection-mode: enum legacy | data | metadata (since 2024-06, PVE 8.2; read
//    only for container backups to PBS, pve-container VZDump/LXC.pm archive).
namespace proxmox {

// The error text upstream gives for `value` of vzdump option `key` (as in errors[key]), or
// nullopt when it is valid or `key` is not one of the three.
std::optional<std::string> vzdump_option_error(std::string_view key, std::string_view value);

}  // namespace proxmox
