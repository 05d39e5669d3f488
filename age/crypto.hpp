#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "age/error.hpp"
#include "age/secret.hpp"

// The four primitives age v1 is built from, on OpenSSL 3 (only crypto.cpp includes OpenSSL):
// X25519 (RFC 7748), HKDF-SHA-256 (RFC 5869), HMAC-SHA-256 and ChaCha20-Poly1305 (RFC 7539),
// plus the system CSPRNG. Failures here are environment failures (Kind::crypto), except where
// a function says otherwise.
namespace age::crypto {

using Point = std::array<std::uint8_t, 32>;
using Scalar = SecretBytes<32>;
using Key32 = SecretBytes<32>;
using Nonce12 = std::array<std::uint8_t, 12>;
inline constexpr std::size_t k_tag_size = 16;

// Fills `out` from the CSPRNG (RAND_priv_bytes: its own DRBG for long-term secrets).
Result<void> random_bytes(std::span<std::uint8_t> out);

// X25519(scalar, basepoint).
Result<Point> x25519_public(const Scalar& scalar);
// X25519(scalar, peer). An all-zero result (a low-order peer point) is Kind::malformed_header:
// the peer point comes from the file being decrypted.
Result<Key32> x25519(const Scalar& scalar, const Point& peer);

// HKDF-SHA-256 extract-and-expand to 32 bytes. An empty salt is RFC 5869's default salt.
Result<Key32> hkdf_sha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                          std::string_view info);

Result<std::array<std::uint8_t, 32>> hmac_sha256(std::span<const std::uint8_t> key,
                                                 std::span<const std::uint8_t> data);

// Constant-time comparison of equal-length byte strings.
bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// ChaCha20-Poly1305 with one key and a fresh nonce per message (no associated data). The key
// schedule lives in OpenSSL, which wipes it when the object is destroyed.
class Aead {
 public:
  enum class Direction { seal, open };
  static Result<Aead> create(const Key32& key, Direction direction);
  Aead(Aead&&) noexcept;
  Aead& operator=(Aead&&) noexcept;
  ~Aead();

  // Encrypts `plaintext` into `out` (plaintext.size() + 16 bytes: ciphertext, then the tag).
  // `out` may alias `plaintext` exactly. Direction::seal only.
  Result<void> seal(const Nonce12& nonce, std::span<const std::uint8_t> plaintext,
                    std::span<std::uint8_t> out);
  // Decrypts and authenticates `sealed` (ciphertext then tag, at least 16 bytes) into `out`
  // (sealed.size() - 16 bytes). Returns false when the tag does not match; `out` is then wiped
  // and must not be used. Direction::open only; `out` must not alias `sealed`.
  Result<bool> open(const Nonce12& nonce, std::span<const std::uint8_t> sealed,
                    std::span<std::uint8_t> out);

 private:
  struct Impl;
  explicit Aead(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace age::crypto
