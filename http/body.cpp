#include <algorithm>
#include <cstring>

#include "http/body.hpp"

namespace http {

tl::expected<std::size_t, std::string> BytesSource::read(char* out, std::size_t capacity) {
  const std::size_t n = std::min(capacity, m_bytes.size() - m_offset);
  if (n) std::memcpy(out, m_bytes.data() + m_offset, n);
  m_offset += n;
  return n;
}

}  // namespace http
