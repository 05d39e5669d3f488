#pragma once

#include <map>
#include <optional>
#include <string>

namespace pvesim {

// vzdump's notes-template rules (pve-api.md §3.3): one line, only the escapes \n and \\, and
// only the variables cluster, guestname, node, vmid. Returns the 400 error text, e.g.
// "found unknown: variable 'foo' at char 4", or nullopt when the template is valid.
std::optional<std::string> notes_template_error(const std::string& tmpl);

// Un-escapes first, then substitutes the variables literally (no re-escaping).
std::string expand_notes_template(const std::string& tmpl,
                                  const std::map<std::string, std::string>& vars);

}  // namespace pvesim
