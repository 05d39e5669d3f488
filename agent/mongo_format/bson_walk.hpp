#pragma once

#include <cstddef>
#include <cstdint>

// Internal to mongo_format: the hot-path structural BSON check (docs/mongodump-format.md section
// 5), written out instead of libbson's visitor-based bson_validate. It applies the section 5 rules
// to the document and, iteratively, to every nested document, array and code-with-scope scope:
// length prefix equal to the bytes used, trailing NUL, known element types, keys that are C strings
// inside the document, every value inside its parent (strings/DBPointer/code with a length >= 1 and
// a trailing NUL, binary subtype 2 with a consistent inner length, bool 0 or 1, regex two C
// strings), keys valid UTF-8 (libbson's visitor demands it even with BSON_VALIDATE_NONE; non-ASCII
// keys go to bson_utf8_validate), and MongoDB's nesting limit.
// $-prefixed and dotted keys and string values' UTF-8 are not checked (BSON_VALIDATE_NONE). It
// never reads outside data[0, size) whatever the bytes are, never recurses (an explicit stack of
// at most max_depth entries), and stops at the first fault. Where libbson 1.23 is more lenient
// (it skips a nested document whose own length prefix is < 5 or lacks its trailing NUL), this
// check rejects; it never accepts a document libbson rejects (tests/mongo_format checks both by
// a differential test, tests/fuzz by a differential fuzzer). libbson's own bson_validate is
// recursive and is not called on untrusted documents at all: the fault below words the error.
namespace agent::mongo_format {

// MongoDB's limit on nesting (mongo's BSONDepth::kDefaultMaxAllowableDepth, the server's
// maxBSONDepth default): a document may hold documents/arrays/scopes 200 levels deep, the
// top-level document not counted. The server validates every BSON object it reads with it
// (validate_bson.cpp: a frame per level, getMaxAllowableDepth() + 1 frames), so no stored
// document or oplog entry is deeper. Stored user documents stay 20 levels below it
// (getMaxDepthForUserStorage()); oplog entries may use the 20 extra levels.
inline constexpr std::uint32_t k_max_bson_depth = 200;

enum class BsonFault : std::uint8_t {
  none,
  framing,        // length prefix != size, size < 5, or no trailing NUL
  too_deep,       // nesting beyond max_depth
  bad_type,       // unknown element type (or 0x00 before the end)
  bad_key,        // key not UTF-8, or running into the terminator
  value_overrun,  // fixed-size value past the document's end
  bad_bool,
  bad_string,
  bad_nested,
  bad_binary,
  bad_regex,
  bad_code_with_scope,
};

struct BsonWalkResult {
  BsonFault fault = BsonFault::none;
  std::size_t offset = 0;  // byte offset (in the document) of the element at fault
};

// One sentence for a fault ("a string's length is 0 or too large, or ...").
const char* describe(BsonFault fault);

// Walks data[0, size) as one BSON document.
BsonWalkResult walk_bson(const std::uint8_t* data, std::size_t size,
                         std::uint32_t max_depth = k_max_bson_depth);

// True when data[0, size) is one structurally valid BSON document.
inline bool bson_structure_valid(const std::uint8_t* data, std::size_t size,
                                 std::uint32_t max_depth = k_max_bson_depth) {
  return walk_bson(data, size, max_depth).fault == BsonFault::none;
}

}  // namespace agent::mongo_format
