#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/config/config_loader.hpp"
#include "agent/core/output.hpp"

// `pve-smokerbak config check [--json]`: validates the configuration file and the secret files
// it names, then prints the effective configuration with the origin of every value (default,
// file, environment) and secrets shown only as "(secret from FILE)".
namespace agent {

// A problem found by a check this layer cannot make itself (the off-site buckets, through
// agent/offsite): the key it belongs to and a full sentence.
struct ConfigFinding {
  std::string key;  // e.g. "offsite.destinations[0].bucket"
  std::string message;
  bool error = true;  // false: a warning
};
// Run after the file validated; cli/ sets it (config_cli.cpp).
using ConfigRemoteCheck = std::function<std::vector<ConfigFinding>(const Config&)>;

// A further report after a valid file's checks (`config check --coverage`, agent/coverage):
// `text` follows the listing, `json` (an object's text) becomes the document's member `name`,
// `warnings` are printed on stderr, and `exit_code` is the check's when the file is valid.
struct ConfigSection {
  std::string name;
  std::string text;
  std::string json;
  std::vector<std::string> warnings;
  int exit_code = 0;
};
using ConfigSectionMaker = std::function<ConfigSection(const Config&)>;

struct ConfigCheckRequest {
  std::string config_path;            // the file to check
  bool config_path_from_env = false;  // PVE_SMOKERBAK_CONFIG named it
  bool json = false;
  ConfigRemoteCheck remote_check;  // unset: none
  ConfigSectionMaker section;      // unset: none
};

// What the checks found: errors fail the check (exit 2), warnings are printed only.
struct ConfigFindings {
  std::vector<ConfigDiagnostic> errors;
  std::vector<ConfigDiagnostic> warnings;
};

// A further check of a loaded, valid configuration by a layer that knows its rules (the vzdump
// tier's, agent/vzdump/vzdump_config_check.hpp); agent/cli/ passes them in.
using ConfigCheck = std::function<void(const LoadedConfig&, ConfigFindings&)>;

// Returns the exit code: 0 when valid (warnings such as a missing CA file are messages but do
// not fail the check), 2 with every problem as a message otherwise. Also shows the
// installation id (agent/core/installation_id.hpp) or that the first run will make it.
int run_config_check(const ConfigCheckRequest& request, Output& out,
                     const std::vector<ConfigCheck>& checks = {});

}  // namespace agent
