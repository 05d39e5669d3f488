#include "agent/run/tier.hpp"

namespace agent {

// Placeholder until the vzdump tier exists.
std::unique_ptr<Tier> make_vzdump_tier(const Config& /*config*/) { return nullptr; }

}  // namespace agent
