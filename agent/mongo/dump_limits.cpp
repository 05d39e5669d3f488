#include "agent/mongo/dump_limits.hpp"

namespace agent::mongo {
namespace {

mongo_format::InflatedCapPolicy cap_policy(const MongoLimits& limits) {
  mongo_format::InflatedCapPolicy policy;
  policy.ratio = limits.max_inflated_ratio;
  policy.ceiling = limits.max_inflated_bytes;
  return policy;
}

}  // namespace

mongo_format::ArchiveLimits dump_limits(const MongoLimits& limits,
                                        std::optional<std::uint64_t> previous_stored_bytes) {
  mongo_format::ArchiveLimits out;
  out.max_bson_depth = static_cast<std::uint32_t>(limits.max_bson_depth);
  out.max_inflated_bytes =
      mongo_format::inflated_size_cap(previous_stored_bytes, cap_policy(limits));
  if (out.max_inflated_bytes == UINT64_MAX) out.max_inflated_bytes = 0;  // no ceiling: no cap
  return out;
}

mongo_format::ArchiveLimits stored_limits(const MongoLimits& limits) {
  return dump_limits(limits, std::nullopt);
}

}  // namespace agent::mongo
