#pragma once

#include <iosfwd>

#include "agent/cli/command_context.hpp"

// `pve-smokerbak config check [--json]`: validates the configuration file and the secret files
// it names, then prints the effective configuration with the origin of every value (default,
// file, environment) and secrets shown only as "(secret from FILE)".
namespace agent {

struct ConfigCheckOptions {
  bool json = false;
};

// Returns the exit code: 0 when valid (warnings such as a missing CA file go to `err` but do
// not fail the check), 2 with every problem on `err` otherwise.
int run_config_check(const GlobalOptions& global, const ConfigCheckOptions& options,
                     std::ostream& out, std::ostream& err);

}  // namespace agent
