#include "agent/core/clock.hpp"

#include <charconv>
#include <cstdlib>

namespace agent {
namespace {

using std::chrono::system_clock;

// Reads exactly `width` digits at `pos`; advances `pos`.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t width, int& out) {
  if (pos + width > s.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += width;
  out = value;
  return true;
}

bool expect_char(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || (s[pos] != c && !(c == 'T' && (s[pos] == 't' || s[pos] == ' ')))) {
    return false;
  }
  ++pos;
  return true;
}

tl::expected<system_clock::time_point, std::string> parse_rfc3339(std::string_view s) {
  const std::string bad =
      "expected RFC 3339 such as 2026-01-31T01:00:00Z, got \"" + std::string(s) + "\"";
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_digits(s, pos, 4, y) || !expect_char(s, pos, '-') || !read_digits(s, pos, 2, mo) ||
      !expect_char(s, pos, '-') || !read_digits(s, pos, 2, d) || !expect_char(s, pos, 'T') ||
      !read_digits(s, pos, 2, h) || !expect_char(s, pos, ':') || !read_digits(s, pos, 2, mi) ||
      !expect_char(s, pos, ':') || !read_digits(s, pos, 2, sec)) {
    return tl::make_unexpected(bad);
  }
  std::chrono::nanoseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t scale = 100'000'000;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction += std::chrono::nanoseconds((s[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) return tl::make_unexpected(bad);
  }
  std::chrono::minutes offset{0};
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(s, pos, 2, oh) || !expect_char(s, pos, ':') || !read_digits(s, pos, 2, om) ||
        oh > 23 || om > 59) {
      return tl::make_unexpected(bad);
    }
    offset = std::chrono::minutes(sign * (oh * 60 + om));
  } else {
    return tl::make_unexpected(bad + " (the time zone suffix Z or +HH:MM is required)");
  }
  if (pos != s.size()) return tl::make_unexpected(bad);

  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return tl::make_unexpected(bad);
  const auto local = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                     std::chrono::seconds(sec);
  return std::chrono::time_point_cast<system_clock::duration>(local - offset + fraction);
}

}  // namespace

tl::expected<system_clock::time_point, std::string> parse_instant(std::string_view text) {
  if (text.empty()) return tl::make_unexpected(std::string("empty time value"));
  const bool all_digits = text.find_first_not_of("0123456789") == std::string_view::npos;
  if (all_digits) {
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || seconds > 253'402'300'799) {
      return tl::make_unexpected("epoch seconds out of range: \"" + std::string(text) + "\"");
    }
    return system_clock::time_point(std::chrono::seconds(seconds));
  }
  return parse_rfc3339(text);
}

SystemClock::SystemClock() {
  const char* value = std::getenv("PVE_SMOKERBAK_NOW");
  if (value == nullptr) return;
  auto parsed = parse_instant(value);
  if (parsed) {
    m_override = *parsed;
  } else {
    m_override_error = "PVE_SMOKERBAK_NOW: " + parsed.error();
  }
}

system_clock::time_point SystemClock::now() const {
  return m_override ? *m_override : system_clock::now();
}

}  // namespace agent
