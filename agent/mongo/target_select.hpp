#pragma once

#include <string>

#include <tl/expected.hpp>

#include "agent/config/config.hpp"

namespace agent::mongo {

// The target named `name` (it must have a mongo tier), or the only target with a mongo tier
// when `name` is empty. The error says what to pass instead.
tl::expected<const TargetConfig*, std::string> select_mongo_target(const Config& config,
                                                                   const std::string& name);

}  // namespace agent::mongo
