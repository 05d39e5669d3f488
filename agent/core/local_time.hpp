#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

#include "agent/core/zone_rules.hpp"
#include "policies/civil_time.hpp"
#include "policies/local_calendar.hpp"

// Local time in the agent's configured time zone (config `timezone`: "local" or an IANA
// name). Proxmox computes retention periods and reads vzdump archive names in the local time
// of the host that prunes, so every tier converts through one of these.
namespace agent {

// One time zone, backed by the system tzdata, DST-correct for 64-bit times including years
// past 2038.
//
// Thread-safe, and the process environment is never changed: a named zone is read through
// ZoneRules (the date library, zone_rules.hpp); "local" is the C library's own local time
// (localtime_r, the zone TZ or /etc/localtime named when the calendar was opened).
class ZoneCalendar final : public policies::LocalCalendar {
 public:
  // `zone` is "local" (the host's zone: TZ or /etc/localtime), "UTC", or an IANA name such as
  // "Europe/Berlin" found under /usr/share/zoneinfo. An unknown name is an error, never a
  // silent fallback to UTC.
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
  enum class Source { local, utc, named };
  ZoneCalendar(std::string name, Source source, std::optional<ZoneRules> rules = std::nullopt)
      : m_name(std::move(name)), m_source(source), m_rules(std::move(rules)) {}

  std::string m_name;
  Source m_source;
  std::optional<ZoneRules> m_rules;  // for Source::named
};

}  // namespace agent
