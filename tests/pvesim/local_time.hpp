#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace pvesim {

// A broken-down local time (proleptic Gregorian; month 1..12, weekday 0 = Sunday).
struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int weekday = 4;
};

// Days since 1970-01-01 for a civil date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(int year, int month, int day);
CivilTime civil_from_seconds(std::int64_t seconds);  // seconds since epoch, no offset

// A node's time zone, read from the system's TZif files (/usr/share/zoneinfo). The simulator
// cannot use setenv("TZ") (process-wide, it would change the agent's own clock in in-process
// tests) and GCC 12 has no std::chrono::zoned_time. Instants after the last transition in the
// file use the last transition's offset (Debian ships "fat" files with transitions to 2037).
class TimeZone {
 public:
  static tl::expected<TimeZone, std::string> load(const std::string& name);
  static TimeZone utc();

  int offset_at(std::int64_t epoch) const;  // seconds east of UTC
  CivilTime to_local(std::int64_t epoch) const;
  // Perl timelocal(): in a DST fold the earlier instant; a time in a spring-forward gap is
  // read with the offset before the gap (moves forward).
  std::int64_t from_local(const CivilTime& local) const;
  const std::string& name() const { return m_name; }

 private:
  std::string m_name = "UTC";
  std::vector<std::int64_t> m_transitions;  // ascending epochs
  std::vector<int> m_offsets_after;         // offset in force from each transition
  int m_initial_offset = 0;                 // before the first transition
};

}  // namespace pvesim
