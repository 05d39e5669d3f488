#include "age/bech32.hpp"

#include <array>

#include "age/secret.hpp"

namespace age::bech32 {
namespace {

constexpr std::string_view k_charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::array<std::uint32_t, 5> k_generator = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
                                                      0x3d4233dd, 0x2a1462b3};
constexpr std::size_t k_checksum_size = 6;

std::uint32_t polymod_step(std::uint32_t chk, std::uint8_t value) {
  const std::uint32_t top = chk >> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ value;
  for (std::size_t i = 0; i < k_generator.size(); ++i) {
    if (((top >> i) & 1) != 0) chk ^= k_generator[i];
  }
  return chk;
}

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// Checksum state after the expanded (lower-cased) hrp.
std::uint32_t hrp_polymod(std::string_view hrp) {
  std::uint32_t chk = 1;
  for (char c : hrp) chk = polymod_step(chk, static_cast<std::uint8_t>(to_lower(c)) >> 5);
  chk = polymod_step(chk, 0);
  for (char c : hrp) chk = polymod_step(chk, static_cast<std::uint8_t>(to_lower(c)) & 31);
  return chk;
}

int charset_index(char c) {
  const auto pos = k_charset.find(to_lower(c));
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

const char* describe(DecodeError error) {
  switch (error) {
    case DecodeError::mixed_case:
      return "mixes upper and lower case";
    case DecodeError::no_separator:
      return "has no '1' separator followed by data and a 6-character checksum";
    case DecodeError::bad_hrp_char:
      return "has an invalid character in its prefix";
    case DecodeError::bad_data_char:
      return "has a character that is not in the Bech32 alphabet";
    case DecodeError::bad_checksum:
      return "has a wrong checksum (a character is mistyped, missing or extra)";
    case DecodeError::bad_padding:
      return "does not encode a whole number of bytes";
  }
  return "is not valid Bech32";
}

Decoded::~Decoded() { wipe(data.data(), data.capacity()); }

tl::expected<Decoded, DecodeError> decode(std::string_view text, std::size_t* error_position) {
  bool has_lower = false;
  bool has_upper = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 33 || c > 126) {
      if (error_position != nullptr) *error_position = i;
      const auto sep = text.rfind('1');
      return tl::unexpected(sep != std::string_view::npos && i > sep ? DecodeError::bad_data_char
                                                                     : DecodeError::bad_hrp_char);
    }
    has_lower = has_lower || (c >= 'a' && c <= 'z');
    has_upper = has_upper || (c >= 'A' && c <= 'Z');
  }
  if (has_lower && has_upper) return tl::unexpected(DecodeError::mixed_case);
  const auto sep = text.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 + k_checksum_size > text.size()) {
    return tl::unexpected(DecodeError::no_separator);
  }
  const std::string_view hrp = text.substr(0, sep);
  const std::string_view data = text.substr(sep + 1);

  std::uint32_t chk = hrp_polymod(hrp);
  for (std::size_t i = 0; i < data.size(); ++i) {
    const int v = charset_index(data[i]);
    if (v < 0) {
      if (error_position != nullptr) *error_position = sep + 1 + i;
      return tl::unexpected(DecodeError::bad_data_char);
    }
    chk = polymod_step(chk, static_cast<std::uint8_t>(v));
  }
  if (chk != 1) return tl::unexpected(DecodeError::bad_checksum);

  // 5-bit groups to bytes; at most 4 bits of zero padding (BIP-173 convertbits, pad=false).
  const std::size_t groups = data.size() - k_checksum_size;
  Decoded out;
  out.hrp = std::string(hrp);
  out.data.reserve(groups * 5 / 8);
  std::uint32_t acc = 0;
  unsigned bits = 0;
  for (std::size_t i = 0; i < groups; ++i) {
    acc = ((acc << 5) | static_cast<std::uint32_t>(charset_index(data[i]))) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  const bool padding_ok = bits < 5 && ((acc << (8 - bits)) & 0xff) == 0;
  wipe(&acc, sizeof acc);
  if (!padding_ok) return tl::unexpected(DecodeError::bad_padding);
  return out;
}

void encode(std::string_view hrp, std::span<const std::uint8_t> data, std::string& out) {
  const bool upper =
      !hrp.empty() && hrp.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos;
  const std::size_t groups = (data.size() * 8 + 4) / 5;
  out.clear();
  out.reserve(hrp.size() + 1 + groups + k_checksum_size);
  for (char c : hrp) out.push_back(to_lower(c));
  out.push_back('1');

  std::uint32_t chk = hrp_polymod(hrp);
  std::uint32_t acc = 0;
  unsigned bits = 0;
  auto emit = [&](std::uint8_t v) {
    chk = polymod_step(chk, v);
    out.push_back(k_charset[v]);
  };
  for (std::uint8_t byte : data) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      emit(static_cast<std::uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0) emit(static_cast<std::uint8_t>((acc << (5 - bits)) & 31));
  wipe(&acc, sizeof acc);
  for (std::size_t i = 0; i < k_checksum_size; ++i) chk = polymod_step(chk, 0);
  chk ^= 1;
  for (std::size_t i = 0; i < k_checksum_size; ++i) {
    out.push_back(k_charset[(chk >> (5 * (5 - i))) & 31]);
  }
  if (upper) {
    for (char& c : out) c = to_upper(c);
  }
}

}  // namespace age::bech32
