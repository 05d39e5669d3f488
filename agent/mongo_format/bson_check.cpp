#include "agent/mongo_format/bson_check.hpp"

#include <bson/bson.h>

namespace agent::mongo_format {

std::optional<std::string> check_bson(const std::uint8_t* data, std::size_t size) {
  bson_t doc;
  if (!bson_init_static(&doc, data, size)) {
    return std::string("BSON length prefix or trailing NUL byte is wrong");
  }
  bson_error_t error;
  if (!bson_validate_with_error(&doc, BSON_VALIDATE_NONE, &error)) {
    return std::string("invalid BSON: ") + error.message;
  }
  return std::nullopt;
}

}  // namespace agent::mongo_format
