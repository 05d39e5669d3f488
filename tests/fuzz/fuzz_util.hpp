#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Shared by the fuzz targets: deterministic chunking of one input (so a raw file — a real
// archive from ../shared/testdata, say — is a seed as it is), and a check that aborts with a
// message, which libFuzzer reports as a crash with the input that caused it.
namespace fuzz {

// splitmix64 seeded from the input's size and first bytes.
class Chunks {
 public:
  Chunks(const std::uint8_t* data, std::size_t size) : m_state(size * 0x9E3779B97F4A7C15ull) {
    for (std::size_t i = 0; i < size && i < 8; ++i) m_state = m_state * 131 + data[i];
  }
  // Next piece size: mostly small (1..64, across every boundary), sometimes large.
  std::size_t next(std::size_t left) {
    m_state += 0x9E3779B97F4A7C15ull;
    std::uint64_t x = m_state;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    const std::size_t n = (x & 3) == 0 ? 1 + (x >> 8) % 65536 : 1 + (x >> 8) % 64;
    return n < left ? n : left;
  }

 private:
  std::uint64_t m_state;
};

[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %s %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

inline void check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

}  // namespace fuzz
