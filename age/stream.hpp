#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "age/error.hpp"
#include "age/sink.hpp"
#include "age/x25519_stanza.hpp"

// The age payload (C2SP age, "Payload"): a 16-byte random nonce, then the plaintext in 64 KiB
// chunks, each sealed with ChaCha20-Poly1305 under
//   payload key = HKDF-SHA-256(ikm = file key, salt = nonce, info = "payload")
// and a 12-byte nonce: an 11-byte big-endian chunk counter from 0, then 0x01 for the final
// chunk and 0x00 for every other. Only the final chunk may be shorter than 64 KiB; it is empty
// only when the whole plaintext is.
namespace age {

inline constexpr std::size_t k_chunk_size = 64 * 1024;
inline constexpr std::size_t k_sealed_chunk_size = k_chunk_size + 16;
inline constexpr std::size_t k_payload_nonce_size = 16;
using PayloadNonce = std::array<std::uint8_t, k_payload_nonce_size>;

// Bytes of the payload (nonce and sealed chunks) for a plaintext of `plaintext_size` bytes.
std::uint64_t payload_size(std::uint64_t plaintext_size);

// Seals one chunk at a time, in order. For Encryptor.
class ChunkSealer {
 public:
  static Result<ChunkSealer> create(const FileKey& file_key, const PayloadNonce& nonce);
  ChunkSealer(ChunkSealer&&) noexcept;
  ChunkSealer& operator=(ChunkSealer&&) noexcept;
  ~ChunkSealer();
  // Seals the next chunk (at most k_chunk_size bytes; a non-final chunk exactly k_chunk_size)
  // into out (plaintext.size() + 16 bytes).
  Result<void> seal(std::span<const std::uint8_t> plaintext, bool final,
                    std::span<std::uint8_t> out);

 private:
  struct State;
  explicit ChunkSealer(std::unique_ptr<State> state);
  std::unique_ptr<State> m;
};

// Opens the sealed chunks that follow the payload nonce, fed in pieces of any size. A chunk's
// plaintext goes to the sink only after its tag is verified, but the file as a whole is
// authentic only once finish() succeeds (a cut at a chunk boundary shows only there): treat
// the output as provisional until then. Errors are sticky. Memory is constant (two chunks).
class PayloadOpener {
 public:
  static Result<PayloadOpener> create(const FileKey& file_key, const PayloadNonce& nonce,
                                      Sink plaintext);
  PayloadOpener(PayloadOpener&&) noexcept;
  PayloadOpener& operator=(PayloadOpener&&) noexcept;
  ~PayloadOpener();

  Result<void> update(std::span<const std::uint8_t> sealed);
  // The input has ended: checks that a final chunk was seen and nothing followed it.
  Result<void> finish();

  std::uint64_t plaintext_bytes() const;  // released to the sink so far
  std::uint64_t chunks() const;           // chunks authenticated so far

 private:
  struct State;
  explicit PayloadOpener(std::unique_ptr<State> state);
  std::unique_ptr<State> m;
};

}  // namespace age
