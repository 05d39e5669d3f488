#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Standard base64 (RFC 4648 section 4) as age uses it. The header uses it without '=' padding,
// the ASCII armor with padding. Decoders accept canonical encodings only (RFC 4648 section 3.5:
// unused trailing bits zero), no whitespace, no line breaks. OpenSSL does the coding; this layer
// adds the strictness the format requires.
namespace age::base64 {

std::string encode_unpadded(std::span<const std::uint8_t> data);
std::string encode_padded(std::span<const std::uint8_t> data);

// nullopt when `text` is not canonical unpadded base64.
std::optional<std::vector<std::uint8_t>> decode_unpadded(std::string_view text);
// nullopt when `text` is not canonical padded base64. Decodes into `out` (cleared first).
bool decode_padded(std::string_view text, std::vector<std::uint8_t>& out);

}  // namespace age::base64
