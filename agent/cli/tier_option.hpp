#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "agent/tier/tier_name.hpp"

namespace agent {

// Adds `--tier vzdump|mongo|all` (the tier names from k_tier_names) to `cmd`; `choice` holds
// the word given, parsed by selected_tier() when the command runs.
CLI::Option* add_tier_option(CLI::App* cmd, std::string& choice);

// nullopt for "all", else the tier (the option's check admits only known words).
std::optional<TierName> selected_tier(const std::string& choice);

}  // namespace agent
