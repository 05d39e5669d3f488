#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "age/crypto.hpp"
#include "age/header.hpp"
#include "age/header_mac.hpp"
#include "age/keys.hpp"
#include "age/stream.hpp"
#include "age/x25519_stanza.hpp"

// Helpers shared by the age tests: deterministic data, fixed keys, and a Crafter that builds
// age files byte by byte (an independent restatement of the format, so tests can make files
// our Encryptor never would: empty last chunks, two final chunks, altered MACs).
namespace age_test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes pattern(std::size_t size, std::uint32_t seed = 1) {
  std::mt19937 rng(seed);
  Bytes out(size);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

inline Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string text(std::span<const std::uint8_t> b) { return std::string(b.begin(), b.end()); }

inline age::Identity fixed_identity(std::uint8_t seed) {
  age::SecretBytes<32> scalar;
  for (std::size_t i = 0; i < 32; ++i) scalar.data()[i] = static_cast<std::uint8_t>(seed + i * 7);
  return *age::Identity::from_scalar(scalar);
}

inline age::crypto::Nonce12 chunk_nonce(std::uint64_t index, bool final) {
  age::crypto::Nonce12 n{};
  for (int i = 0; i < 8; ++i) n[10 - i] = static_cast<std::uint8_t>(index >> (8 * i));
  n[11] = final ? 1 : 0;
  return n;
}

struct Crafter {
  age::FileKey file_key;
  age::PayloadNonce nonce{};
  std::vector<age::Stanza> stanzas;

  explicit Crafter(const std::vector<age::Recipient>& recipients) {
    for (std::size_t i = 0; i < 16; ++i) file_key.data()[i] = static_cast<std::uint8_t>(0xa0 + i);
    for (std::size_t i = 0; i < 16; ++i) nonce[i] = static_cast<std::uint8_t>(i);
    for (const auto& r : recipients) stanzas.push_back(*age::wrap_x25519(file_key, r));
  }

  // Header through the MAC line; `mac_flip` alters one MAC byte.
  std::string header(bool mac_flip = false) const {
    std::string h = age::encode_header_for_mac(stanzas);
    auto mac = *age::header_mac(
        file_key, std::span(reinterpret_cast<const std::uint8_t*>(h.data()), h.size()));
    if (mac_flip) mac[5] ^= 1;
    return h + age::encode_mac_line(mac);
  }

  Bytes chunk(std::uint64_t index, std::span<const std::uint8_t> plain, bool final) const {
    auto key = *age::crypto::hkdf_sha256(file_key.span(), nonce, "payload");
    auto aead = *age::crypto::Aead::create(key, age::crypto::Aead::Direction::seal);
    Bytes out(plain.size() + 16);
    EXPECT_TRUE(aead.seal(chunk_nonce(index, final), plain, out));
    return out;
  }

  // Header, nonce, then the given chunks (plaintext, final flag) in order.
  Bytes file(const std::vector<std::pair<Bytes, bool>>& chunks, bool mac_flip = false) const {
    Bytes out = bytes(header(mac_flip));
    out.insert(out.end(), nonce.begin(), nonce.end());
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      const Bytes c = chunk(i, chunks[i].first, chunks[i].second);
      out.insert(out.end(), c.begin(), c.end());
    }
    return out;
  }
};

}  // namespace age_test
