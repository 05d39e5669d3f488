#include "agent/mongo_format/bson_walk.hpp"

#include <cstring>
#include <memory>

#include <bson/bson.h>

namespace agent::mongo_format {
namespace {

inline std::uint32_t le32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);  // x86-64 and aarch64 Linux are little-endian, as BSON
  return v;
}

// Offsets of the terminating NUL of each open (nested) document. The walk stops at max_depth
// levels (200 by default), so this holds at most that many; the first 64 live inline.
class EndStack {
 public:
  bool empty() const { return m_size == 0; }
  std::size_t size() const { return m_size; }
  std::size_t top() const { return m_data[m_size - 1]; }
  void pop() { --m_size; }
  void push(std::size_t end) {
    if (m_size == m_capacity) grow();
    m_data[m_size++] = end;
  }

 private:
  void grow() {
    auto bigger = std::make_unique<std::size_t[]>(m_capacity * 2);
    std::memcpy(bigger.get(), m_data, m_size * sizeof(std::size_t));
    m_heap = std::move(bigger);
    m_data = m_heap.get();
    m_capacity *= 2;
  }
  std::size_t m_inline[64];
  std::unique_ptr<std::size_t[]> m_heap;
  std::size_t* m_data = m_inline;
  std::size_t m_size = 0, m_capacity = 64;
};

// A nested document at d[o, o + 4 + ...) inside a parent ending (terminator) at `end`: its
// length prefix must fit, be >= 5, keep it before the parent's terminator, and its last byte
// must be NUL. Returns the offset of its terminator, or 0 when invalid.
inline std::size_t nested_end(const std::uint8_t* d, std::size_t o, std::size_t end) {
  if (end - o < 4) return 0;
  const std::uint32_t l = le32(d + o);
  if (l < 5 || l > end - o || d[o + l - 1] != 0) return 0;
  return o + l - 1;
}

// A BSON string (int32 length including the NUL, bytes, NUL) at d[o..] that must end at or
// before `end`. Returns the offset just past it, or 0 when invalid.
inline std::size_t string_after(const std::uint8_t* d, std::size_t o, std::size_t end) {
  if (end - o < 4) return 0;
  const std::uint32_t l = le32(d + o);
  if (l == 0 || l > end - o - 4 || d[o + 4 + l - 1] != 0) return 0;
  return o + 4 + l;
}

}  // namespace

const char* describe(BsonFault fault) {
  switch (fault) {
    case BsonFault::none:
      return "valid";
    case BsonFault::framing:
      return "the length prefix does not match the document or its trailing NUL byte is missing";
    case BsonFault::too_deep:
      return "documents and arrays nest deeper than MongoDB allows (BSONDepth, 200 levels)";
    case BsonFault::bad_type:
      return "an element has an unknown type byte (or an end marker before the document's end)";
    case BsonFault::bad_key:
      return "an element's key is not valid UTF-8 or runs into the document's end";
    case BsonFault::value_overrun:
      return "an element's value runs past the end of its document";
    case BsonFault::bad_bool:
      return "a boolean is neither 0 nor 1";
    case BsonFault::bad_string:
      return "a string's length is 0 or too large, or it lacks its trailing NUL";
    case BsonFault::bad_nested:
      return "a nested document or array has a length below 5, beyond its parent, or no trailing "
             "NUL";
    case BsonFault::bad_binary:
      return "a binary value's length does not fit (or its subtype-2 inner length is wrong)";
    case BsonFault::bad_regex:
      return "a regular expression lacks its pattern or options string";
    case BsonFault::bad_code_with_scope:
      return "a code-with-scope value has inconsistent lengths";
  }
  return "invalid";
}

BsonWalkResult walk_bson(const std::uint8_t* d, std::size_t size, std::uint32_t max_depth) {
  if (size < 5 || size > 0x7FFFFFFFu || le32(d) != size || d[size - 1] != 0) {
    return {BsonFault::framing, 0};
  }
  EndStack stack;
  std::size_t end = size - 1;  // terminator of the document being walked
  std::size_t pos = 4;
  for (;;) {
    // Invariant: pos <= end, d[end] == 0.
    if (pos == end) {
      if (stack.empty()) return {BsonFault::none, 0};
      pos = end + 1;
      end = stack.top();
      stack.pop();
      if (pos > end) return {BsonFault::bad_nested, pos};  // cannot happen: children end first
      continue;
    }
    const std::size_t element = pos;
    const std::uint8_t type = d[pos];
    // Keys are short: a plain scan beats memchr's call. d[end] == 0 bounds it.
    std::size_t k = pos + 1;
    std::uint8_t high = 0;
    while (d[k] != 0) high |= d[k++];
    const std::size_t o = k + 1;
    // libbson's visitor requires keys to be UTF-8; non-ASCII keys are rare, so its own
    // checker decides them (same verdict by construction).
    if ((high & 0x80) != 0 &&
        !bson_utf8_validate(reinterpret_cast<const char*>(d + pos + 1), k - pos - 1, false)) {
      return {BsonFault::bad_key, element};
    }
    if (o > end) return {BsonFault::bad_key, element};  // the key runs into the terminator
    const std::size_t room = end - o;                   // bytes available for the value
    switch (type) {
      case 0x01:  // double
      case 0x09:  // UTC datetime
      case 0x11:  // timestamp
      case 0x12:  // int64
        if (room < 8) return {BsonFault::value_overrun, element};
        pos = o + 8;
        break;
      case 0x10:  // int32
        if (room < 4) return {BsonFault::value_overrun, element};
        pos = o + 4;
        break;
      case 0x07:  // ObjectId
        if (room < 12) return {BsonFault::value_overrun, element};
        pos = o + 12;
        break;
      case 0x13:  // decimal128
        if (room < 16) return {BsonFault::value_overrun, element};
        pos = o + 16;
        break;
      case 0x08:  // bool
        if (room < 1) return {BsonFault::value_overrun, element};
        if (d[o] > 1) return {BsonFault::bad_bool, element};
        pos = o + 1;
        break;
      case 0x06:  // undefined
      case 0x0A:  // null
      case 0x7F:  // max key
      case 0xFF:  // min key
        pos = o;
        break;
      case 0x02:  // string
      case 0x0D:  // JavaScript
      case 0x0E:  // symbol
        pos = string_after(d, o, end);
        if (pos == 0) return {BsonFault::bad_string, element};
        break;
      case 0x0C:  // DBPointer: string + ObjectId
        pos = string_after(d, o, end);
        if (pos == 0) return {BsonFault::bad_string, element};
        if (end - pos < 12) return {BsonFault::value_overrun, element};
        pos += 12;
        break;
      case 0x05: {  // binary
        if (room < 5) return {BsonFault::value_overrun, element};
        const std::uint32_t l = le32(d + o);
        if (l > room - 5) return {BsonFault::bad_binary, element};
        if (d[o + 4] == 0x02 && (l < 4 || le32(d + o + 5) + std::uint64_t{4} != l)) {
          return {BsonFault::bad_binary, element};
        }
        pos = o + 5 + l;
        break;
      }
      case 0x0B: {  // regex: pattern and options C strings
        const void* a = std::memchr(d + o, 0, room);
        if (a == nullptr) return {BsonFault::bad_regex, element};
        const std::size_t o2 =
            static_cast<std::size_t>(static_cast<const std::uint8_t*>(a) - d) + 1;
        const void* b = std::memchr(d + o2, 0, end - o2);
        if (b == nullptr) return {BsonFault::bad_regex, element};
        pos = static_cast<std::size_t>(static_cast<const std::uint8_t*>(b) - d) + 1;
        break;
      }
      case 0x03:    // document
      case 0x04: {  // array
        const std::size_t child_end = nested_end(d, o, end);
        if (child_end == 0) return {BsonFault::bad_nested, element};
        if (stack.size() >= max_depth) return {BsonFault::too_deep, element};
        stack.push(end);
        end = child_end;
        pos = o + 4;
        break;
      }
      case 0x0F: {  // code with scope: int32 total, string, document
        if (room < 4) return {BsonFault::value_overrun, element};
        const std::uint32_t total = le32(d + o);
        if (total < 14 || total > room) return {BsonFault::bad_code_with_scope, element};
        const std::size_t scope = string_after(d, o + 4, o + total);
        if (scope == 0) return {BsonFault::bad_code_with_scope, element};
        const std::size_t scope_end = nested_end(d, scope, o + total);
        if (scope_end == 0 || scope_end + 1 != o + total) {
          return {BsonFault::bad_code_with_scope, element};
        }
        if (stack.size() >= max_depth) return {BsonFault::too_deep, element};
        stack.push(end);
        end = scope_end;
        pos = scope + 4;
        break;
      }
      default:  // 0x00 before the terminator, or an unknown type
        return {BsonFault::bad_type, element};
    }
  }
}

}  // namespace agent::mongo_format
