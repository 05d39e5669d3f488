#pragma once

#include <span>
#include <string>

#include "agent/core/local_time.hpp"
#include "policies/retention_engine.hpp"

// The human-readable output of `retention simulate`.
namespace agent {

// One row per backup, newest first: local time, mark, reason, id.
std::string render_decision_table(std::span<const policies::BackupEntry> entries,
                                  std::span<const policies::Decision> decisions,
                                  const ZoneCalendar& zone);

// One line per month that holds a backup, newest first, one column per day of the month:
// K a kept backup that day, P protected, - only removed backups, . no backup. Followed by a
// totals line.
std::string render_month_calendar(std::span<const policies::BackupEntry> entries,
                                  std::span<const policies::Decision> decisions,
                                  const ZoneCalendar& zone);

}  // namespace agent
