#pragma once

#include <optional>
#include <string>

#include "agent/tier/tier_name.hpp"

namespace agent {

// What `run` and `prune` were asked to do.
struct RunOptions {
  std::string target;            // empty = every configured target
  std::optional<TierName> tier;  // nullopt = every tier
  bool dry_run = false;
  bool no_prune = false;
  bool prune_only = false;  // `prune`: apply retention without making backups
};

}  // namespace agent
