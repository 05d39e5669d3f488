#pragma once

#include <string>

#include "agent/tier/tier_outcome.hpp"

namespace testing_support {

// What went wrong in an outcome, for assertions and their messages: the error's message when
// it failed, else its summary.
inline std::string why(const agent::TierOutcome& outcome) {
  return outcome.error ? outcome.error->message : outcome.summary;
}

}  // namespace testing_support
