#include "agent/mongo_format/archive_limits.hpp"

#include <algorithm>
#include <cmath>

#include "agent/mongo_format/bson_walk.hpp"

namespace agent::mongo_format {

static_assert(ArchiveLimits{}.max_bson_depth == k_max_bson_depth);

std::uint64_t inflated_size_cap(std::optional<std::uint64_t> previous_stored_bytes,
                                const InflatedCapPolicy& policy) {
  const std::uint64_t ceiling = policy.ceiling == 0 ? UINT64_MAX : policy.ceiling;
  if (!previous_stored_bytes) return ceiling;
  const long double scaled = static_cast<long double>(*previous_stored_bytes) *
                             static_cast<long double>(std::max(policy.ratio, 0.0));
  const std::uint64_t by_ratio =
      scaled >= 1.8e19L ? UINT64_MAX : static_cast<std::uint64_t>(std::floor(scaled));
  return std::min(ceiling, std::max(policy.floor, by_ratio));
}

}  // namespace agent::mongo_format
