#include "agent/mongo_format/bson_check.hpp"

#include <bson/bson.h>

#include "agent/mongo_format/bson_walk.hpp"

namespace agent::mongo_format {

std::optional<std::string> check_bson(const std::uint8_t* data, std::size_t size) {
  // Hot path: our own walk (libbson's visitor-based validation was the validator's main cost).
  if (bson_structure_valid(data, size)) return std::nullopt;
  // Rare path: let libbson explain the failure in its words.
  bson_t doc;
  if (!bson_init_static(&doc, data, size)) {
    return std::string("BSON length prefix or trailing NUL byte is wrong");
  }
  bson_error_t error;
  if (!bson_validate_with_error(&doc, BSON_VALIDATE_NONE, &error)) {
    return std::string("invalid BSON: ") + error.message;
  }
  return std::string("invalid BSON: a nested document's length prefix or trailing NUL is wrong");
}

}  // namespace agent::mongo_format
