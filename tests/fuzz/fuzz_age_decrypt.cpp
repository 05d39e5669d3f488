// libFuzzer target for the age library's untrusted-input paths (age/header.hpp,
// age/decryptor.hpp, age/stream.hpp, age/armor.hpp). It must never crash, leak, hang or grow
// memory beyond the documented bounds, whatever the bytes.
//
// The first input byte picks what is fuzzed and how the rest is fed:
//   byte % 4 == 0  parse_header() on the rest (the header grammar alone);
//   byte % 4 == 1  a Decryptor with two fixed identities, fed in pieces whose size comes from
//                  the byte (1..64 bytes, or all at once), exercising the incremental header,
//                  nonce, armor and chunk paths;
//   byte % 4 == 2  the same, all at once;
//   byte % 4 == 3  a PayloadOpener with a fixed file key: rest = 16-byte nonce + sealed chunks.
//                  Random headers cannot reach the payload (X25519 and the MAC stop them), so
//                  this mode fuzzes the STREAM layer directly.
// Released plaintext is checked against the promise that nothing is released before its chunk
// authenticates only indirectly (ASan/UBSan catch misuse of the buffers).
//
// Seeds: make_seeds writes age files encrypted to the identities of age_fuzz_keys.hpp (one and
// two recipients, empty, one and several chunks, armored), their headers alone, and payloads
// sealed with its file key, each behind the mode byte that feeds it. Both are derived from
// fixed byte patterns at start-up: no key text is kept in the tree.
// Build by hand until tests/fuzz/ has its CMake (from the repo root, clang 14 from Debian):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     tests/fuzz/fuzz_age_decrypt.cpp age/*.cpp -lcrypto -o fuzz_age_decrypt
//   ./fuzz_age_decrypt -max_len=300000 -timeout=10 corpus/
// In CMake: link the `age` library (built with -fsanitize=fuzzer-no-link,address,undefined)
// and add -fsanitize=fuzzer to this target's link options.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "age/decryptor.hpp"
#include "age/header.hpp"
#include "age/keys.hpp"
#include "age/stream.hpp"
#include "tests/fuzz/age_fuzz_keys.hpp"

namespace {

const std::vector<age::Identity>& identities() {
  static const std::vector<age::Identity> ids = fuzz_age::identities();
  return ids;
}

bool sink(std::span<const std::uint8_t> plaintext) {
  // Touch every byte so the sanitizers see reads of the released buffer.
  volatile std::uint8_t x = 0;
  for (std::uint8_t b : plaintext) x = static_cast<std::uint8_t>(x ^ b);
  return true;
}

template <typename Stream>
void feed(Stream& stream, std::span<const std::uint8_t> data, std::size_t piece) {
  while (!data.empty()) {
    const std::size_t n = piece == 0 ? data.size() : std::min(piece, data.size());
    if (!stream.update(data.first(n))) return;
    data = data.subspan(n);
  }
  (void)stream.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  switch (mode % 4) {
    case 0:
      (void)age::parse_header(rest);
      break;
    case 1:
    case 2: {
      auto dec = age::Decryptor::create(identities(), sink);
      if (dec) feed(*dec, rest, mode % 4 == 2 ? 0 : 1 + (mode >> 2));
      break;
    }
    case 3: {
      if (rest.size() < age::k_payload_nonce_size) break;
      static const age::FileKey key = fuzz_age::payload_file_key();
      age::PayloadNonce nonce{};
      std::copy_n(rest.begin(), nonce.size(), nonce.begin());
      auto opener = age::PayloadOpener::create(key, nonce, sink);
      if (opener) feed(*opener, rest.subspan(nonce.size()), 1 + (mode >> 2) * 1024);
      break;
    }
  }
  return 0;
}
