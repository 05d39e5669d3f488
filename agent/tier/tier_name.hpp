#pragma once

#include <optional>
#include <string_view>

// The backup tiers this agent knows. Parsed from text only at the edges (the command line,
// journal and record files); inside, a tier is this enum.
namespace agent {

enum class TierName {
  vzdump,
  mongo,
  offsite,  // encrypted copies of the other tiers' validated backups in S3 (agent/offsite)
};

// Every tier, for command-line choices and help texts. The order a run backs up in is the
// order of the TierSet that cli/ builds (agent/cli/wiring.cpp), not this list's.
inline constexpr TierName k_tier_names[] = {TierName::vzdump, TierName::mongo, TierName::offsite};

// "vzdump", "mongo", "offsite": the word in file names, JSON, metrics labels and on the command
// line.
const char* to_string(TierName tier);
// nullopt for any other text.
std::optional<TierName> parse_tier_name(std::string_view text);

}  // namespace agent
