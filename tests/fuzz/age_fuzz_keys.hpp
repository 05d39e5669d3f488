#pragma once

#include <cstdint>
#include <vector>

#include "age/keys.hpp"
#include "age/secret.hpp"

// The fuzz target's identities and payload file key, derived from fixed byte patterns when the
// program starts, so that no key text is kept in the tree. make_seeds encrypts its age seeds to
// these identities (and seals its payload seeds with this file key), which is what lets the
// fuzzer reach the payload: random headers cannot pass X25519 and the header MAC.
namespace fuzz_age {

// Two identities, so seeds can carry one or two recipient stanzas (only one of them matches
// the first identity when a seed is encrypted to the second alone).
inline std::vector<age::Identity> identities() {
  std::vector<age::Identity> out;
  for (std::uint8_t base : {std::uint8_t{0x11}, std::uint8_t{0x5a}}) {
    age::SecretBytes<32> scalar;
    for (std::size_t i = 0; i < scalar.size(); ++i)
      scalar.data()[i] = static_cast<std::uint8_t>(base + 3 * i);
    out.push_back(*age::Identity::from_scalar(scalar));
  }
  return out;
}

// The file key of mode 3 (payload only).
inline age::FileKey payload_file_key() {
  age::FileKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(0xa0 + i);
  return key;
}

}  // namespace fuzz_age
