#pragma once

#include <optional>

#include "agent/cli/command_context.hpp"
#include "agent/config/config.hpp"

namespace agent {

// Loads the configuration named by the global options for a command. On failure prints every
// diagnostic ("FILE:LINE:COL: KEY: MESSAGE") to stderr, sets ctx.exit_code to the usage/config
// exit code (2) and returns nullopt.
std::optional<Config> load_config_or_report(CommandContext& ctx);

}  // namespace agent
