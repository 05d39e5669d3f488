#pragma once

#include <string>
#include <vector>

#include "agent/config/config_loader.hpp"

// The effective configuration as a flat list of key/value/origin entries, for
// `pve-smokerbak config check` (readable listing and JSON). Secrets are never read here: a
// secret entry's value is the file it comes from.
namespace agent {

struct ConfigEntry {
  enum class Kind { string, integer, boolean, none, secret };
  std::string key;    // e.g. "targets[0].mongo.ssh.port"
  std::string value;  // text form; for Kind::secret the secret's file path
  Kind kind = Kind::string;
  ValueOrigin origin = ValueOrigin::default_value;
};

// Every key of the effective configuration, in schema order.
std::vector<ConfigEntry> list_effective_config(const LoadedConfig& loaded);

// "value" as shown to people: strings as they are, none as "(none)", secrets as
// "(secret from FILE)" or "(not set)".
std::string display_value(const ConfigEntry& entry);

}  // namespace agent
