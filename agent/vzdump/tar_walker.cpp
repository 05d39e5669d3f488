#include "agent/vzdump/tar_walker.hpp"

#include <algorithm>
#include <cstring>

namespace agent {
namespace {

// Octal numeric field (NUL/space terminated), or GNU base-256 when the top bit is set.
bool numeric_field(const unsigned char* field, std::size_t len, std::uint64_t& out) {
  out = 0;
  if (field[0] & 0x80) {
    for (std::size_t i = 1; i < len; ++i) {
      if (out >> 56) return false;
      out = (out << 8) | field[i];
    }
    return (field[0] & 0x7F) == 0;
  }
  std::size_t i = 0;
  while (i < len && field[i] == ' ') ++i;
  bool any = false;
  for (; i < len && field[i] >= '0' && field[i] <= '7'; ++i) {
    out = out * 8 + static_cast<unsigned>(field[i] - '0');
    any = true;
  }
  for (; i < len; ++i) {
    if (field[i] != ' ' && field[i] != '\0') return false;
  }
  return any;
}

}  // namespace

void TarWalker::feed(const unsigned char* data, std::size_t size) {
  m_bytes += size;
  while (size > 0 && m_error.empty()) {
    if (m_skip > 0) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_skip, size));
      m_skip -= n;
      data += n;
      size -= n;
      continue;
    }
    if (m_end_seen) return;  // trailing zero padding (tar pads to its record size)
    const std::size_t n = std::min(size, sizeof(m_block) - m_fill);
    std::memcpy(m_block + m_fill, data, n);
    m_fill += n;
    data += n;
    size -= n;
    if (m_fill == sizeof(m_block)) {
      m_fill = 0;
      header_block();
    }
  }
}

void TarWalker::header_block() {
  if (std::all_of(std::begin(m_block), std::end(m_block), [](unsigned char c) { return c == 0; })) {
    if (++m_zero_blocks == 2) m_end_seen = true;
    return;
  }
  if (m_zero_blocks > 0) {
    m_error = "a tar header follows a zero block after " + std::to_string(m_entries) + " entries";
    return;
  }
  std::uint64_t stored = 0;
  if (!numeric_field(m_block + 148, 8, stored)) {
    m_error = "tar header " + std::to_string(m_entries + 1) + " has no valid checksum field";
    return;
  }
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < sizeof(m_block); ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : m_block[i];
  }
  if (sum != stored) {
    m_error = "tar header " + std::to_string(m_entries + 1) + " fails its checksum (corrupt data)";
    return;
  }
  std::uint64_t size = 0;
  if (!numeric_field(m_block + 124, 12, size)) {
    m_error = "tar header " + std::to_string(m_entries + 1) + " has an invalid size field";
    return;
  }
  const char type = static_cast<char>(m_block[156]);
  // Hard links, symlinks, devices, directories and FIFOs carry no data whatever the size says.
  if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
    size = 0;
  }
  m_skip = (size + 511) / 512 * 512;
  ++m_entries;
}

std::string TarWalker::finish_error() const {
  if (!m_error.empty()) return m_error;
  if (m_skip > 0 || m_fill > 0) {
    return "the tar stream ends inside entry " + std::to_string(m_entries) + " (truncated)";
  }
  if (!m_end_seen) {
    return "the tar stream ends after " + std::to_string(m_entries) +
           " entries without the end-of-archive marker (truncated)";
  }
  return {};
}

}  // namespace agent
