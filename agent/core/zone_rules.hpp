#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <tl/expected.hpp>

// The UTC offsets of one IANA time zone, from the system tzdata under /usr/share/zoneinfo, read
// by Howard Hinnant's date library (Debian's libhowardhinnant-date-dev, built with USE_OS_TZDB:
// it reads the installed zone files and downloads nothing). Thread-safe and free of the process
// environment: no TZ, no tzset(), no lock of ours.
//
// This header stays C++17 and free of date types: zone_rules.cpp is the one file that includes
// the library (compiled as C++17, see agent/core/CMakeLists.txt).
namespace agent {

class ZoneRules {
 public:
  // `name` is an IANA name such as "Europe/Berlin". The error says why it cannot be used.
  static tl::expected<ZoneRules, std::string> open(const std::string& name);

  // Seconds east of UTC in effect at `epoch`. Past the zone file's last transition (Debian's
  // files list them up to 2037) the file's own POSIX rule applies, so DST continues; instants
  // outside the years 1..9999 use the offset at the nearer end of that range.
  std::int64_t utc_offset(std::int64_t epoch) const;

 private:
  struct Impl;
  explicit ZoneRules(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
  std::shared_ptr<const Impl> m_impl;
};

}  // namespace agent
