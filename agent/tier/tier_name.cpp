#include "agent/tier/tier_name.hpp"

namespace agent {

const char* to_string(TierName tier) {
  switch (tier) {
    case TierName::vzdump:
      return "vzdump";
    case TierName::mongo:
      return "mongo";
    case TierName::offsite:
      return "offsite";
  }
  return "unknown";
}

std::optional<TierName> parse_tier_name(std::string_view text) {
  for (const TierName tier : k_tier_names) {
    if (text == to_string(tier)) return tier;
  }
  return std::nullopt;
}

}  // namespace agent
