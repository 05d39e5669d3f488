#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/tier/backup_listing.hpp"
#include "agent/tier/prune_plan.hpp"
#include "agent/tier/tier_error.hpp"
#include "policies/retention_engine.hpp"

// What one step (backup or prune) of one tier on one target came to.
namespace agent {

enum class TierState { ok, warning, failed, skipped };

// "ok", "warning", "failed", "skipped": the record's and status' word for a tier state.
const char* to_string(TierState state);
std::optional<TierState> parse_tier_state(std::string_view text);

struct TierOutcome {
  TierState state = TierState::ok;
  std::string summary;                // one line for people, e.g. "backup 1.2 GiB verified"
  std::vector<std::string> warnings;  // each a full sentence
  std::optional<TierError> error;     // set exactly when state == failed
  std::string backup_id;              // volid (vzdump) or backup directory name (mongo), if made
  std::uint64_t backup_bytes = 0;     // size of the backup made (backup())
  std::optional<bool> validation_ok;  // verdict of the backup made (backup())
  // The finer state of the backup made, when the tier knows more than validation_ok says
  // (vzdump: pending on PBS, not verifiable here); unknown: validation_ok alone tells.
  Validation validation = Validation::unknown;
  // Filled by prune() (also in dry-run): what the retention leaves in place.
  std::optional<std::uint64_t> kept_count;
  std::optional<std::uint64_t> kept_bytes;
  std::map<policies::Rule, std::uint64_t> kept_per_rule;  // daily -> 7, weekly -> 4, ...
  std::uint64_t removed_count = 0;
  std::optional<PrunePlan> plan;  // prune(): what it keeps and removes, and why
};

// A failed outcome; `warnings` collected before the failure are kept.
TierOutcome failed_outcome(TierError error, std::vector<std::string> warnings = {});
TierOutcome skipped_outcome(std::string summary);
// ok, or warning when there are warnings.
TierState state_for(const std::vector<std::string>& warnings);

}  // namespace agent
