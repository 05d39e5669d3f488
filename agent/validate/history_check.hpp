#pragma once

#include <cstdint>
#include <vector>

#include "agent/validate/backup_check.hpp"

namespace agent::validate {

// A backup may be stamped up to this far ahead of the clock before it counts as "in the
// future" (absorbs an NTP step between the run and the re-check).
inline constexpr std::int64_t k_future_tolerance_s = 300;

// History checks over the backups of one target and tier, `checks` oldest first:
//  - a start time later than `now` (+ tolerance) is an error (clock or manifest wrong);
//  - versus the previous valid backup, a size (same form only) or any collection's document
//    count that shrank by more than `shrink_warn_percent` is a warning (0 disables it).
// Adds to errors/warnings and clears `valid` on an error.
void apply_history_checks(std::vector<BackupCheck>& checks, std::int64_t now,
                          int shrink_warn_percent);

}  // namespace agent::validate
