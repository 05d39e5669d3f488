#include "age/base64.hpp"

#include <openssl/evp.h>

#include <limits>

namespace age::base64 {
namespace {

bool is_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

std::string encode_block(std::span<const std::uint8_t> data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() / 2)) return {};
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

// Decodes a multiple-of-4 string whose last `pads` characters are '=' (already checked to be
// the only non-alphabet characters). Returns false on an OpenSSL refusal.
bool decode_block(std::string_view text, std::size_t pads, std::vector<std::uint8_t>& out) {
  out.assign(3 * (text.size() / 4), 0);
  if (text.empty()) return true;
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return false;
  out.resize(out.size() - pads);
  return true;
}

}  // namespace

std::string encode_padded(std::span<const std::uint8_t> data) { return encode_block(data); }

std::string encode_unpadded(std::span<const std::uint8_t> data) {
  std::string out = encode_block(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::optional<std::vector<std::uint8_t>> decode_unpadded(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  for (char c : text) {
    if (!is_alphabet(c)) return std::nullopt;
  }
  const std::size_t pads = (4 - text.size() % 4) % 4;
  std::string padded(text);
  padded.append(pads, '=');
  std::vector<std::uint8_t> out;
  if (!decode_block(padded, pads, out)) return std::nullopt;
  // Canonical: re-encoding gives the same text (rejects non-zero unused bits).
  if (encode_unpadded(out) != text) return std::nullopt;
  return out;
}

bool decode_padded(std::string_view text, std::vector<std::uint8_t>& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  std::size_t pads = 0;
  while (pads < 2 && pads < text.size() && text[text.size() - 1 - pads] == '=') ++pads;
  for (std::size_t i = 0; i + pads < text.size(); ++i) {
    if (!is_alphabet(text[i])) return false;
  }
  if (!decode_block(text, pads, out)) return false;
  if (encode_padded(out) != text) {
    out.clear();
    return false;
  }
  return true;
}

}  // namespace age::base64
