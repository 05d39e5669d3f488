#include "agent/run/tier.hpp"

namespace agent {

// Placeholder until the mongo tier exists.
std::unique_ptr<Tier> make_mongo_tier(const Config& /*config*/) { return nullptr; }

}  // namespace agent
