#pragma once

#include <string>

#include "agent/core/output.hpp"

// `pve-smokerbak config check [--json]`: validates the configuration file and the secret files
// it names, then prints the effective configuration with the origin of every value (default,
// file, environment) and secrets shown only as "(secret from FILE)".
namespace agent {

struct ConfigCheckRequest {
  std::string config_path;            // the file to check
  bool config_path_from_env = false;  // PVE_SMOKERBAK_CONFIG named it
  bool json = false;
};

// Returns the exit code: 0 when valid (warnings such as a missing CA file are messages but do
// not fail the check), 2 with every problem as a message otherwise.
int run_config_check(const ConfigCheckRequest& request, Output& out);

}  // namespace agent
