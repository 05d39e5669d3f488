#pragma once

#include <cstdint>
#include <span>

#include "policies/civil_time.hpp"

// How the retention engine learns local time without reading tzdata itself: the caller hands
// it a LocalCalendar. policies ships the UTC one; agent/core/local_time.hpp provides the
// IANA-zone one (the zone Proxmox's prune would use: the configured one or the host's).
namespace policies {

// The local wall-clock fields of one instant, and its ISO week.
struct LocalFields {
  CivilTime civil;
  IsoWeek iso;

  friend bool operator==(const LocalFields&, const LocalFields&) = default;
};

// Builds LocalFields from a wall-clock time (computes the ISO week).
LocalFields local_fields_of(const CivilTime& civil);

class LocalCalendar {
 public:
  virtual ~LocalCalendar() = default;
  // The local fields of `epoch` (seconds since 1970-01-01T00:00:00Z).
  virtual LocalFields fields(std::int64_t epoch) const = 0;
  // Batch form: out[i] = fields(epochs[i]); `out` has epochs.size() elements. Calendars with
  // a per-call setup cost override it.
  virtual void fields_of_many(std::span<const std::int64_t> epochs,
                              std::span<LocalFields> out) const;
};

// Coordinated Universal Time: pure arithmetic, no tzdata.
class UtcCalendar final : public LocalCalendar {
 public:
  LocalFields fields(std::int64_t epoch) const override;
};

}  // namespace policies
