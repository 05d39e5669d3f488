#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

#include "policies/civil_time.hpp"
#include "policies/local_calendar.hpp"

// Local time in the agent's configured time zone (config `timezone`: "local" or an IANA
// name). Proxmox computes retention periods and reads vzdump archive names in the local time
// of the host that prunes, so every tier converts through one of these.
namespace agent {

// One time zone, backed by the system tzdata (glibc), DST-correct for 64-bit times including
// years past 2038.
//
// Thread-safety contract: glibc only reads a zone from the TZ environment variable, so each
// call sets TZ for its duration under a process-wide mutex and restores it afterwards. Calls
// are safe among themselves; code on other threads must not call localtime()/mktime() or read
// TZ meanwhile. "local" never touches TZ.
class ZoneCalendar final : public policies::LocalCalendar {
 public:
  // `zone` is "local" (the host's zone: TZ or /etc/localtime), "UTC", or an IANA name such as
  // "Europe/Berlin" found under $TZDIR or /usr/share/zoneinfo. An unknown name is an error,
  // never a silent fallback to UTC.
  static tl::expected<ZoneCalendar, std::string> open(std::string_view zone);

  const std::string& name() const { return m_name; }

  policies::LocalFields fields(std::int64_t epoch) const override;
  void fields_of_many(std::span<const std::int64_t> epochs,
                      std::span<policies::LocalFields> out) const override;

  // Local wall-clock time of `epoch` without the ISO week.
  policies::CivilTime civil(std::int64_t epoch) const;

  // Seconds east of UTC in effect at `epoch` (Berlin: 3600 in winter, 7200 in summer).
  std::int64_t utc_offset(std::int64_t epoch) const;

  // The epoch of a local wall-clock time, with Perl timelocal() semantics as Proxmox uses
  // them for archive names: in a repeated (fall-back) hour the earlier instant; a time in the
  // spring-forward gap moves forward by the gap (Berlin 2024-03-31 02:30 gives 01:30Z).
  // Fails only for out-of-range fields.
  tl::expected<std::int64_t, std::string> to_epoch(const policies::CivilTime& local) const;

 private:
  ZoneCalendar(std::string name, std::optional<std::string> tz_value)
      : m_name(std::move(name)), m_tz_value(std::move(tz_value)) {}

  std::string m_name;
  std::optional<std::string> m_tz_value;  // TZ while converting; nullopt for "local"
};

}  // namespace agent
