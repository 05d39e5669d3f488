#include "policies/local_calendar.hpp"

#include <cstddef>

namespace policies {

LocalFields local_fields_of(const CivilTime& civil) {
  return LocalFields{civil, iso_week_of(civil.year, civil.month, civil.day)};
}

void LocalCalendar::fields_of_many(std::span<const std::int64_t> epochs,
                                   std::span<LocalFields> out) const {
  for (std::size_t i = 0; i < epochs.size() && i < out.size(); ++i) out[i] = fields(epochs[i]);
}

LocalFields UtcCalendar::fields(std::int64_t epoch) const {
  return local_fields_of(utc_from_epoch(epoch));
}

}  // namespace policies
