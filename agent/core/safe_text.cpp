#include "agent/core/safe_text.hpp"

#include <cstdint>

namespace agent {
namespace {

constexpr const char* k_hex = "0123456789ABCDEF";

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at s[i] (1..4), or 0 when the byte there
// does not start one (RFC 3629 table 3-7: the second byte's range depends on the first).
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return 1;
  const std::size_t left = s.size() - i;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (b >= 0xC2 && b <= 0xDF) return left >= 2 && continuation(at(1)) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (left < 3 || !continuation(at(2))) return 0;
    const unsigned char c = at(1);
    const bool ok = b == 0xE0   ? c >= 0xA0 && c <= 0xBF  // no overlongs
                    : b == 0xED ? c >= 0x80 && c <= 0x9F  // no surrogates
                                : continuation(c);
    return ok ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (left < 4 || !continuation(at(2)) || !continuation(at(3))) return 0;
    const unsigned char c = at(1);
    const bool ok = b == 0xF0   ? c >= 0x90 && c <= 0xBF  // no overlongs
                    : b == 0xF4 ? c >= 0x80 && c <= 0x8F  // nothing above U+10FFFF
                                : continuation(c);
    return ok ? 4 : 0;
  }
  return 0;
}

void append_hex_byte(std::string& out, unsigned char b) {
  out += "\\x";
  out += k_hex[b >> 4];
  out += k_hex[b & 0xF];
}

void append_u_escape(std::string& out, std::uint32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += k_hex[(cp >> shift) & 0xF];
}

std::uint32_t code_point(std::string_view s, std::size_t i, std::size_t n) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (n == 1) return b;
  std::uint32_t cp = b & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

bool reorders_or_breaks_lines(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string escape_invalid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) {
      append_hex_byte(out, static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string escape_control_chars(std::string_view text, Tabs tabs) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    const auto b = static_cast<unsigned char>(text[i]);
    if (n == 0) {
      append_hex_byte(out, b);
      ++i;
      continue;
    }
    if (n == 1) {
      if (b == '\n') {
        out += "\\n";
      } else if (b == '\r') {
        out += "\\r";
      } else if (b == '\t') {
        out += tabs == Tabs::keep ? "\t" : "\\t";
      } else if (b < 0x20 || b == 0x7F) {
        append_hex_byte(out, b);
      } else {
        out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    const std::uint32_t cp = code_point(text, i, n);
    if (reorders_or_breaks_lines(cp)) {
      append_u_escape(out, cp);
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace agent
