#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "age/error.hpp"

// The textual age v1 header: version line, recipient stanzas, MAC line (C2SP age, "Header").
// parse_header is the strict grammar check for untrusted input; it neither unwraps stanzas nor
// checks the MAC (that needs a file key: see decryptor.hpp).
namespace age {

// One recipient stanza: "-> type args...", then its base64 body wrapped at 64 columns.
struct Stanza {
  std::string type;               // the first argument ("X25519", "scrypt", ...)
  std::vector<std::string> args;  // the remaining arguments
  std::vector<std::uint8_t> body;
};

struct Header {
  std::vector<Stanza> stanzas;
  std::array<std::uint8_t, 32> mac{};
  std::size_t mac_input_size = 0;  // bytes the MAC covers: from the start through "---"
  std::size_t size = 0;            // the whole header, through the MAC line's LF
};

// A header larger than this is refused (Kind::malformed_header) before it is buffered further.
// Real headers are ~100 bytes per X25519 recipient and ~1.6 KiB per post-quantum one.
inline constexpr std::size_t k_max_header_size = 64 * 1024;

inline constexpr std::string_view k_version_line = "age-encryption.org/v1\n";

// Parses the header at the start of `input`; bytes after the MAC line are not looked at.
// Errors: malformed_header (grammar, size bound), unsupported (another format version),
// truncated (`input` ends before the MAC line).
Result<Header> parse_header(std::span<const std::uint8_t> input);

// The header text from the version line through "---" (what the MAC covers).
std::string encode_header_for_mac(const std::vector<Stanza>& stanzas);
// " <base64 MAC>\n", which follows encode_header_for_mac's text.
std::string encode_mac_line(const std::array<std::uint8_t, 32>& mac);

}  // namespace age
