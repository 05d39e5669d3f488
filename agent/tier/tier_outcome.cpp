#include "agent/tier/tier_outcome.hpp"

namespace agent {

const char* to_string(TierState s) {
  switch (s) {
    case TierState::ok:
      return "ok";
    case TierState::warning:
      return "warning";
    case TierState::failed:
      return "failed";
    case TierState::skipped:
      return "skipped";
  }
  return "";
}

std::optional<TierState> parse_tier_state(std::string_view text) {
  for (const auto s : {TierState::ok, TierState::warning, TierState::failed, TierState::skipped}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

TierOutcome failed_outcome(TierError error, std::vector<std::string> warnings) {
  TierOutcome out;
  out.state = TierState::failed;
  out.error = std::move(error);
  out.warnings = std::move(warnings);
  return out;
}

TierOutcome skipped_outcome(std::string summary) {
  TierOutcome out;
  out.state = TierState::skipped;
  out.summary = std::move(summary);
  return out;
}

TierState state_for(const std::vector<std::string>& warnings) {
  return warnings.empty() ? TierState::ok : TierState::warning;
}

}  // namespace agent
