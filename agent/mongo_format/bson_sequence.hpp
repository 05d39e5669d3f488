#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// Internal to mongo_format: a `.bson` file's content (documents back to back, no framing) fed in
// chunks. Each document is checked (bson_check.hpp, MongoDB's nesting limit); a tail that is not a
// whole document is an error at finish() (the bson_reader_t pitfall of docs/mongodump-format.md
// section 5 cannot happen here).
namespace agent::mongo_format {

class BsonSequence {
 public:
  explicit BsonSequence(std::uint32_t max_depth = 200) : m_max_depth(max_depth) {}
  void consume(const std::uint8_t* data, std::size_t size);
  void finish();

  bool failed() const { return !m_error.empty(); }
  const std::string& error() const { return m_error; }
  std::uint64_t documents() const { return m_documents; }
  std::uint64_t bytes() const { return m_offset; }
  std::uint64_t crc64() const { return m_crc; }

 private:
  void document(const std::uint8_t* doc, std::uint32_t size);
  std::uint32_t m_max_depth;
  std::string m_error;
  std::vector<std::uint8_t> m_pending;
  std::uint64_t m_offset = 0, m_documents = 0, m_crc = 0;
};

}  // namespace agent::mongo_format
