#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

// Bech32 (BIP-173) as age uses it: no limit on the overall length, the checksum always
// computed over the lowercase form, all-uppercase or all-lowercase text only, and the data part
// converted from 5-bit groups to bytes with zero padding of at most 4 bits.
namespace age::bech32 {

enum class DecodeError {
  mixed_case,     // both upper and lower case letters
  no_separator,   // no '1', an empty human-readable part, or fewer than 6 checksum characters
  bad_hrp_char,   // a human-readable-part character outside US-ASCII 33..126
  bad_data_char,  // a data character outside the Bech32 alphabet
  bad_checksum,   // the 6-character checksum does not match (a typo or a missing character)
  bad_padding,    // the data part does not convert to whole bytes with zero padding
};

// Human-readable description, for error messages (never contains the input).
const char* describe(DecodeError error);

struct Decoded {
  std::string hrp;                 // as written (upper case when the input was upper case)
  std::vector<std::uint8_t> data;  // the decoded bytes
  Decoded() = default;
  Decoded(const Decoded&) = delete;
  Decoded& operator=(const Decoded&) = delete;
  Decoded(Decoded&&) = default;
  Decoded& operator=(Decoded&&) = default;
  ~Decoded();  // wipes `data`: it is a secret key when the input was an identity
};

// Decodes `text`. `error_position` (optional) receives the index of the offending character
// for bad_hrp_char / bad_data_char.
tl::expected<Decoded, DecodeError> decode(std::string_view text,
                                          std::size_t* error_position = nullptr);

// Encodes `data` under `hrp` (which must be non-empty, 33..126, not mixed case). An upper-case
// hrp gives an upper-case result. `out` is cleared first; it is reserved to its final size, so
// it does not reallocate (callers encoding secrets rely on that).
void encode(std::string_view hrp, std::span<const std::uint8_t> data, std::string& out);

}  // namespace age::bech32
