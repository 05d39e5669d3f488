#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "age/error.hpp"
#include "age/keys.hpp"
#include "age/sink.hpp"

// Streaming age v1 decryption with one or more X25519 identities, for untrusted input fed in
// pieces of any size (a download's write callback, a file read loop, a fuzzer's buffer).
//
// - The header is parsed strictly and bounded (k_max_header_size); stanzas of unknown types
//   are skipped; an scrypt stanza must be alone and is then refused as unsupported.
// - The header MAC is checked before any payload byte is looked at.
// - Each 64 KiB chunk goes to the sink only after its tag verifies. The file as a whole is
//   authentic only when finish() succeeds: a cut at a chunk boundary is visible only then, so
//   treat the plaintext as provisional until finish() returns success.
// - Truncation, trailing bytes, an empty last chunk and a full final chunk are told apart.
// - Binary or ASCII-armored input, detected from the first byte.
// Memory is constant: at most the header bound plus two chunks. Errors are sticky: after the
// first one every call returns it again.
namespace age {

class Decryptor {
 public:
  // Kind::misuse without identities.
  static Result<Decryptor> create(std::vector<Identity> identities, Sink plaintext);
  Decryptor(Decryptor&&) noexcept;
  Decryptor& operator=(Decryptor&&) noexcept;
  ~Decryptor();

  Result<void> update(std::span<const std::uint8_t> ciphertext);
  // The input has ended: checks that the file was complete.
  Result<void> finish();

  bool header_read() const;                       // the header parsed and authenticated
  std::vector<std::string> stanza_types() const;  // of the header, once parsed
  bool armored() const;
  std::uint64_t plaintext_bytes() const;  // released to the sink so far

 private:
  struct State;
  explicit Decryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> m;
};

// One-shot decryption of a buffer (tests, fuzzing, small files).
Result<std::vector<std::uint8_t>> decrypt(std::span<const std::uint8_t> file,
                                          std::vector<Identity> identities);

}  // namespace age
