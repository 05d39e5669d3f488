#include "policies/civil_time.hpp"

namespace policies {

namespace {
constexpr std::int64_t k_seconds_per_day = 86400;

// Floor division: rounds towards negative infinity, so times before 1970 land on the right day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
}  // namespace

bool is_leap_year(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(std::int64_t year, int month) {
  static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : k_days[month - 1];
}

bool is_valid(const CivilTime& t) {
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= days_in_month(t.year, t.month) &&
         t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 && t.second >= 0 &&
         t.second <= 59;
}

std::int64_t days_from_civil(std::int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(year, 400);
  const std::int64_t yoe = year - era * 400;                       // [0, 399]
  const std::int64_t mp = (month + 9) % 12;                        // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;           // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilTime civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = floor_div(days, 146097);
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  CivilTime t;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = static_cast<std::int32_t>(yoe + era * 400 + (t.month <= 2 ? 1 : 0));
  return t;
}

std::int64_t epoch_from_utc(const CivilTime& t) {
  return days_from_civil(t.year, t.month, t.day) * k_seconds_per_day + t.hour * 3600 +
         t.minute * 60 + t.second;
}

CivilTime utc_from_epoch(std::int64_t epoch) {
  const std::int64_t days = floor_div(epoch, k_seconds_per_day);
  const std::int64_t rest = epoch - days * k_seconds_per_day;
  CivilTime t = civil_from_days(days);
  t.hour = static_cast<int>(rest / 3600);
  t.minute = static_cast<int>(rest % 3600 / 60);
  t.second = static_cast<int>(rest % 60);
  return t;
}

IsoWeek iso_week_of(std::int64_t year, int month, int day) {
  const std::int64_t days = days_from_civil(year, month, day);
  // 1970-01-01 was a Thursday; Monday = 0.
  const std::int64_t weekday = floor_div(days + 3, 7) * -7 + days + 3;
  // The week belongs to the ISO year of its Thursday.
  const std::int64_t thursday = days - weekday + 3;
  const CivilTime th = civil_from_days(thursday);
  const std::int64_t jan1 = days_from_civil(th.year, 1, 1);
  return IsoWeek{th.year, static_cast<int>((thursday - jan1) / 7 + 1)};
}

}  // namespace policies
