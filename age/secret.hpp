#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

// Holders for secret bytes (identity scalars, file keys, derived keys, encoded secret keys)
// that overwrite their memory when they go away, so secrets do not linger in freed memory.
namespace age {

// Overwrites `size` bytes at `data` with zeros in a way the compiler cannot optimise away.
void wipe(void* data, std::size_t size);

template <std::size_t N>
class SecretBytes {
 public:
  SecretBytes() = default;
  SecretBytes(const SecretBytes&) = default;
  SecretBytes& operator=(const SecretBytes&) = default;
  ~SecretBytes() { wipe(m_bytes.data(), N); }

  static constexpr std::size_t size() { return N; }
  std::uint8_t* data() { return m_bytes.data(); }
  const std::uint8_t* data() const { return m_bytes.data(); }
  std::span<std::uint8_t, N> span() { return m_bytes; }
  std::span<const std::uint8_t, N> span() const { return m_bytes; }

 private:
  std::array<std::uint8_t, N> m_bytes{};
};

// The 128-bit key each age file is encrypted with.
using FileKey = SecretBytes<16>;

// Text that is a secret (an encoded identity, an identity file). Wiped on destruction; copy it
// only into other SecretStrings.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::size_t reserve) { m_text.reserve(reserve); }
  SecretString(const SecretString& other);
  SecretString& operator=(const SecretString& other);
  ~SecretString();

  std::string_view view() const { return m_text; }
  // Appends without reallocating when the constructor reserved enough (a reallocation would
  // leave an unwiped copy behind, so reserve the final size up front).
  void append(std::string_view text) { m_text.append(text); }
  void push_back(char c) { m_text.push_back(c); }
  std::size_t size() const { return m_text.size(); }

 private:
  std::string m_text;
};

}  // namespace age
