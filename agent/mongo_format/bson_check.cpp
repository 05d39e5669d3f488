#include "agent/mongo_format/bson_check.hpp"

#include "agent/mongo_format/bson_walk.hpp"

namespace agent::mongo_format {

std::optional<std::string> check_bson(const std::uint8_t* data, std::size_t size,
                                      std::uint32_t max_depth) {
  const BsonWalkResult r = walk_bson(data, size, max_depth);
  if (r.fault == BsonFault::none) return std::nullopt;
  std::string why = std::string("invalid BSON: ") + describe(r.fault);
  if (r.fault == BsonFault::too_deep && max_depth != k_max_bson_depth) {
    why += " (limit set to " + std::to_string(max_depth) + ")";
  }
  if (r.fault != BsonFault::framing) why += " (element at byte " + std::to_string(r.offset) + ")";
  return why;
}

}  // namespace agent::mongo_format
