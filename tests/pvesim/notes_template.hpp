#pragma once

#include <map>
#include <optional>
#include <string>

namespace pvesim {

// vzdump's notes-template rules (docs/proxmox-api.md section 3; pve-manager PVE/VZDump.pm
// verify_notes_template) on the parameter as the API server decodes it (UTF-8, positions in
// characters): no line feed; every "\" + character pair must be \n or \\ (scanned left to
// right; a lone trailing "\" passes); every {{name}} must be cluster, guestname, node or vmid.
// Returns the error text without its trailing newline ("found unknown: escape sequence '\x'
// at char N, variable 'foo' at char M", escapes first), or nullopt when valid.
std::optional<std::string> notes_template_error(const std::string& tmpl);

// The schema's maxLength 1024 (pve-guest-common PVE/VZDump/Common.pm), checked before the
// above: "value may only be 1024 characters long".
std::optional<std::string> notes_template_length_error(const std::string& tmpl);

// Un-escapes first, then substitutes the variables literally (no re-escaping).
std::string expand_notes_template(const std::string& tmpl,
                                  const std::map<std::string, std::string>& vars);

}  // namespace pvesim
