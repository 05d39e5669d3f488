#include <cstdio>
#include <ctime>

#include "s3/time_format.hpp"

namespace s3 {
namespace {

std::optional<Time> from_fields(int year, int month, int day, int hour, int minute, int second) {
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year(year),
                           std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 60) {
    return std::nullopt;
  }
  return Time{sys_days{ymd}} + hours(hour) + minutes(minute) + seconds(second);
}

std::string format(Time time, const char* pattern) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const auto n = std::strftime(buf, sizeof buf, pattern, &tm);
  return std::string(buf, n);
}

}  // namespace

std::string format_iso8601(Time time) { return format(time, "%Y-%m-%dT%H:%M:%S.000Z"); }
std::string format_amz_date(Time time) { return format(time, "%Y%m%dT%H%M%SZ"); }

std::optional<Time> parse_iso8601(std::string_view text) {
  if (text.size() < 20 || text.size() > 40) return std::nullopt;
  const std::string s(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &used) != 6 ||
      used != 19) {
    return std::nullopt;
  }
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t digits = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == digits) return std::nullopt;
  }
  if (i + 1 != s.size() || s[i] != 'Z') return std::nullopt;
  return from_fields(year, month, day, hour, minute, second);
}

std::optional<Time> parse_http_date(std::string_view text) {
  if (text.size() != 29) return std::nullopt;
  static const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string s(text);
  char weekday[4] = {}, month_name[4] = {}, zone[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(s.c_str(), "%3[A-Za-z], %2d %3s %4d %2d:%2d:%2d %3s", weekday, &day, month_name,
                  &year, &hour, &minute, &second, zone) != 8 ||
      std::string_view(zone) != "GMT") {
    return std::nullopt;
  }
  for (int m = 0; m < 12; ++m) {
    if (std::string_view(month_name) == k_months[m]) {
      return from_fields(year, m + 1, day, hour, minute, second);
    }
  }
  return std::nullopt;
}

}  // namespace s3
