#pragma once

#include <memory>
#include <optional>

#include "agent/cli/command_context.hpp"
#include "agent/config/config.hpp"
#include "agent/core/clock.hpp"

namespace agent {

// The one way a command loads the configuration named by the global options. On failure
// prints every diagnostic ("FILE:LINE:COL: KEY: MESSAGE") as messages, sets ctx.exit_code to
// the usage/config exit code (2) and returns nullopt.
std::optional<Config> load_config_or_report(CommandContext& ctx);

// The clock of a command: the system clock, or the PVE_SMOKERBAK_NOW test hook. When that
// variable is set but does not parse, says so, sets ctx.exit_code to 2 and returns null.
std::unique_ptr<SystemClock> make_clock_or_report(CommandContext& ctx);

}  // namespace agent
