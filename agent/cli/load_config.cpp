#include "agent/cli/load_config.hpp"

#include "agent/config/config_loader.hpp"
#include "agent/core/exit_codes.hpp"

namespace agent {

std::optional<Config> load_config_or_report(CommandContext& ctx) {
  auto loaded = load_config_file(ctx.global.config_path);
  if (!loaded) {
    for (const auto& d : loaded.error()) ctx.output.error(d.to_string());
    ctx.output.error("configuration invalid (" + std::to_string(loaded.error().size()) +
                     " problem(s)); `pve-smokerbak config check` shows the effective values");
    ctx.exit_code = exit_code::k_usage;
    return std::nullopt;
  }
  return std::move(loaded->config);
}

std::unique_ptr<SystemClock> make_clock_or_report(CommandContext& ctx) {
  auto clock = std::make_unique<SystemClock>();
  if (clock->override_error()) {
    ctx.output.error(*clock->override_error());
    ctx.exit_code = exit_code::k_usage;
    return nullptr;
  }
  return clock;
}

}  // namespace agent
