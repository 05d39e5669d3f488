#include "agent/cli/load_config.hpp"

#include <iostream>

#include "agent/config/config_loader.hpp"
#include "agent/core/exit_codes.hpp"

namespace agent {

std::optional<Config> load_config_or_report(CommandContext& ctx) {
  auto loaded = load_config_file(ctx.global.config_path);
  if (!loaded) {
    for (const auto& d : loaded.error()) std::cerr << "pve-smokerbak: " << d.to_string() << "\n";
    std::cerr << "pve-smokerbak: configuration invalid (" << loaded.error().size()
              << " problem(s)); `pve-smokerbak config check` shows the effective values\n";
    ctx.exit_code = exit_code::k_usage;
    return std::nullopt;
  }
  return std::move(loaded->config);
}

}  // namespace agent
