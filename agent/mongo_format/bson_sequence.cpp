#include "agent/mongo_format/bson_sequence.hpp"

#include <algorithm>

#include "agent/mongo_format/bson_check.hpp"
#include "agent/mongo_format/crc64.hpp"

namespace agent::mongo_format {

void BsonSequence::document(const std::uint8_t* doc, std::uint32_t size) {
  if (auto why = check_bson(doc, size, m_max_depth)) {
    m_error = *why + " (document " + std::to_string(m_documents + 1) + " at byte offset " +
              std::to_string(m_offset) + ")";
    return;
  }
  m_crc = crc64_xz(m_crc, doc, size);
  ++m_documents;
  m_offset += size;
}

void BsonSequence::consume(const std::uint8_t* data, std::size_t size) {
  auto length_ok = [&](std::uint32_t len) {
    if (len >= 5 && len <= k_max_bson_size) return true;
    m_error = "invalid BSON length " + std::to_string(len) + " at byte offset " +
              std::to_string(m_offset);
    return false;
  };
  while (size > 0 && m_error.empty()) {
    if (!m_pending.empty()) {
      std::size_t want = 4 - std::min<std::size_t>(4, m_pending.size());
      if (want == 0) want = read_le32(m_pending.data()) - m_pending.size();
      const std::size_t take = std::min(want, size);
      m_pending.insert(m_pending.end(), data, data + take);
      data += take;
      size -= take;
      if (m_pending.size() < 4) continue;
      const std::uint32_t len = read_le32(m_pending.data());
      if (!length_ok(len)) return;
      if (m_pending.size() == len) {
        document(m_pending.data(), len);
        m_pending.clear();
      }
      continue;
    }
    while (size >= 4 && m_error.empty()) {
      const std::uint32_t len = read_le32(data);
      if (!length_ok(len)) return;
      if (len > size) break;
      document(data, len);
      data += len;
      size -= len;
    }
    if (m_error.empty() && size > 0) {
      m_pending.assign(data, data + size);
      size = 0;
    }
  }
}

void BsonSequence::finish() {
  if (m_error.empty() && !m_pending.empty()) {
    m_error = "truncated: " + std::to_string(m_pending.size()) +
              " bytes after the last whole document (byte offset " + std::to_string(m_offset) + ")";
  }
}

}  // namespace agent::mongo_format
