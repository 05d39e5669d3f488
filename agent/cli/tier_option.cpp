#include "agent/cli/tier_option.hpp"

#include <vector>

namespace agent {

CLI::Option* add_tier_option(CLI::App* cmd, std::string& choice) {
  std::vector<std::string> words;
  for (const TierName t : k_tier_names) words.emplace_back(to_string(t));
  words.emplace_back("all");
  return cmd->add_option("--tier", choice, "Only this tier")
      ->check(CLI::IsMember(words))
      ->capture_default_str();
}

std::optional<TierName> selected_tier(const std::string& choice) { return parse_tier_name(choice); }

}  // namespace agent
