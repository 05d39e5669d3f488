#pragma once

#include <map>
#include <string>
#include <vector>

// /etc/vzdump.conf as pve-manager PVE/VZDump.pm read_vzdump_defaults reads it (through
// pve-common JSONSchema.pm parse_config): "key: value" lines, '#' comments, blank lines; a line
// that is not "key: value" is ignored with a warning; a key outside vzdump's schema or a value
// its schema refuses is dropped with a warning ("parse error in '/etc/vzdump.conf' - ...").
namespace pvesim {

std::map<std::string, std::string> parse_vzdump_conf(const std::string& text,
                                                     std::vector<std::string>& warnings);

// The schema defaults vzdump starts from (pve-guest-common PVE/VZDump/Common.pm confdesc
// `default`s; performance and fleecing are left out here).
const std::map<std::string, std::string>& vzdump_schema_defaults();

}  // namespace pvesim
