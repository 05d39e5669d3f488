#pragma once

#include <cstddef>
#include <cstdint>

// Internal to mongo_format: the hot-path structural BSON check (docs/mongodump-format.md section
// 5), written out instead of libbson's visitor-based bson_validate. It applies the §6.1 rules to
// the document and, iteratively, to every nested document, array and code-with-scope scope: length
// prefix equal to the bytes used, trailing NUL, known element types, keys that are C strings inside
// the document, every value inside its parent (strings/DBPointer/code with a length >= 1 and a
// trailing NUL, binary subtype 2 with a consistent inner length, bool 0 or 1, regex two C strings),
// keys valid UTF-8 (libbson's visitor demands it even with BSON_VALIDATE_NONE; non-ASCII keys go to
// bson_utf8_validate).
// $-prefixed and dotted keys and string values' UTF-8 are not checked (BSON_VALIDATE_NONE). It
// never reads outside data[0, size) whatever the bytes are, and its depth is bounded only by the
// document size (no recursion). Where libbson 1.23 is more lenient (it skips a nested document
// whose own length prefix is < 5 or lacks its trailing NUL), this check rejects; it never accepts a
// document libbson rejects (tests/mongo_format checks both by a differential fuzz test).
namespace agent::mongo_format {

// True when data[0, size) is one structurally valid BSON document.
bool bson_structure_valid(const std::uint8_t* data, std::size_t size);

}  // namespace agent::mongo_format
