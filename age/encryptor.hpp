#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "age/error.hpp"
#include "age/keys.hpp"
#include "age/sink.hpp"

// Streaming age v1 encryption to one or more X25519 recipients, in the binary format (not
// armored). Memory is constant whatever the input size: one 64 KiB plaintext chunk and one
// sealed chunk. Each file gets a fresh file key, payload nonce and ephemeral share per
// recipient; all secrets are wiped when the object goes away.
namespace age {

// Exact size of the age file for `plaintext_size` bytes and `recipients` X25519 recipients:
// header 70 + 98 per recipient, payload nonce 16, plaintext, and 16 per 64 KiB chunk (at least
// one chunk). What an upload needs for Content-Length and part sizes before encrypting.
std::uint64_t encrypted_size(std::uint64_t plaintext_size, std::size_t recipients);

// Push interface: give plaintext in pieces of any size; ciphertext goes to the sink (the
// header and nonce first, then one call per sealed chunk). A chunk is sealed only when more
// plaintext follows it or at finish(), because the final chunk's nonce differs.
class Encryptor {
 public:
  // Kind::misuse without recipients; crypto when randomness or OpenSSL fail.
  static Result<Encryptor> create(std::span<const Recipient> recipients, Sink ciphertext);
  Encryptor(Encryptor&&) noexcept;
  Encryptor& operator=(Encryptor&&) noexcept;
  ~Encryptor();

  Result<void> update(std::span<const std::uint8_t> plaintext);
  // Seals the final chunk. Without it the output is not a valid age file.
  Result<void> finish();

  // Exact size of this encryptor's output for a plaintext of `plaintext_size` bytes.
  std::uint64_t encrypted_size(std::uint64_t plaintext_size) const;
  std::uint64_t plaintext_bytes() const;   // taken so far
  std::uint64_t ciphertext_bytes() const;  // given to the sink so far

 private:
  struct State;
  explicit Encryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> m;
};

// Pull interface over the same format: reads plaintext from `plaintext` as needed and fills
// the caller's buffers with ciphertext, e.g. from libcurl's read callback or to fill an upload
// part of an exact size.
class EncryptingReader {
 public:
  static Result<EncryptingReader> create(std::span<const Recipient> recipients, Source plaintext);
  EncryptingReader(EncryptingReader&&) noexcept;
  EncryptingReader& operator=(EncryptingReader&&) noexcept;
  ~EncryptingReader();

  // Fills `out` with the next ciphertext bytes and returns how many. Fewer than out.size()
  // only at the end of the file; 0 once everything was read.
  Result<std::size_t> read(std::span<std::uint8_t> out);

  std::uint64_t encrypted_size(std::uint64_t plaintext_size) const;
  std::uint64_t plaintext_bytes() const;   // read from the source so far
  std::uint64_t ciphertext_bytes() const;  // returned by read() so far

 private:
  struct State;
  explicit EncryptingReader(std::unique_ptr<State> state);
  std::unique_ptr<State> m;
};

// One-shot encryption of a buffer (tests, small files).
Result<std::vector<std::uint8_t>> encrypt(std::span<const std::uint8_t> plaintext,
                                          std::span<const Recipient> recipients);

}  // namespace age
