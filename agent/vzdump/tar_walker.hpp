#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

// Walks a POSIX/GNU tar stream header by header as it is fed, without keeping any data: it
// checks every header's checksum and size field, skips the (512-byte padded) member data and
// notes the end-of-archive marker (two zero blocks). A stream that ends anywhere else, or a
// header that fails its checksum, is an invalid archive.
namespace agent {

class TarWalker {
 public:
  // Feeds the next bytes of the uncompressed tar stream. After an error further input is
  // ignored.
  void feed(const unsigned char* data, std::size_t size);

  // True once the end-of-archive marker was seen and no error occurred.
  bool complete() const { return m_end_seen && m_error.empty(); }
  // Empty unless something is wrong. After the whole stream was fed, call finish_error() for
  // the final verdict (it also reports a missing end marker).
  const std::string& error() const { return m_error; }
  std::string finish_error() const;

  std::uint64_t entries() const { return m_entries; }
  std::uint64_t bytes() const { return m_bytes; }

 private:
  void header_block();

  unsigned char m_block[512] = {};
  std::size_t m_fill = 0;
  std::uint64_t m_skip = 0;  // data (+ padding) bytes still to skip
  int m_zero_blocks = 0;
  bool m_end_seen = false;
  std::uint64_t m_entries = 0;
  std::uint64_t m_bytes = 0;
  std::string m_error;
};

}  // namespace agent
