#pragma once

#include <cstdint>

// Proleptic Gregorian calendar arithmetic on plain integers (no time zone, no I/O). Used for
// UTC, for the fields of a local time once a zone has supplied its offset, and for ISO 8601
// weeks. Valid for every 64-bit epoch second whose year fits in 32 bits.
namespace policies {

// A wall-clock date and time, without a zone.
struct CivilTime {
  std::int32_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..days_in_month
  int hour = 0;   // 0..23
  int minute = 0;
  int second = 0;

  friend bool operator==(const CivilTime&, const CivilTime&) = default;
};

// ISO 8601 week date: weeks start on Monday; week 1 holds the year's first Thursday, so the
// ISO year differs from the calendar year around New Year (2019-12-31 is 2020-W01).
struct IsoWeek {
  std::int32_t iso_year = 1970;
  int week = 1;  // 1..53

  friend bool operator==(const IsoWeek&, const IsoWeek&) = default;
};

bool is_leap_year(std::int64_t year);
int days_in_month(std::int64_t year, int month);

// True when every field is in range (month 1..12, day within the month, hour 0..23, minute and
// second 0..59).
bool is_valid(const CivilTime& t);

// Days since 1970-01-01 of a date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t year, int month, int day);
CivilTime civil_from_days(std::int64_t days);

// Seconds since the epoch of `t` read as UTC, and the UTC fields of an epoch second.
std::int64_t epoch_from_utc(const CivilTime& t);
CivilTime utc_from_epoch(std::int64_t epoch);

// The ISO week holding the given date.
IsoWeek iso_week_of(std::int64_t year, int month, int day);

}  // namespace policies
