#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "agent/mongo_format/bson_walk.hpp"

// Internal to mongo_format: one BSON document checked by the iterative walk (bson_walk.hpp),
// which also words the reason; libbson's recursive bson_validate is never called on it.
namespace agent::mongo_format {

inline constexpr std::uint32_t k_max_bson_size = 16u * 1024u * 1024u;  // MongoDB's limit

inline std::uint32_t read_le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// Full structural check of the document at data[0, size) whose length prefix equals size
// (docs/mongodump-format.md section 5; $-prefixed and dotted keys are accepted, string values'
// UTF-8 is not enforced). Returns the reason when invalid. A nested document whose own length
// prefix is < 5 or that lacks its trailing NUL is rejected here although libbson 1.23 skips it
// (bson_walk.hpp), and so is nesting deeper than `max_depth` (MongoDB's 200 levels by default).
std::optional<std::string> check_bson(const std::uint8_t* data, std::size_t size,
                                      std::uint32_t max_depth = k_max_bson_depth);

}  // namespace agent::mongo_format
