#pragma once

#include <vector>

#include "agent/config/config.hpp"
#include "agent/core/local_time.hpp"
#include "agent/offsite/local_backups.hpp"
#include "policies/retention_engine.hpp"

// Which local backups a destination still lacks: the eligible ones without a receipt there
// that the off-site policy keeps, judged over the copies already there plus these (per tier,
// as each tier's backups are one retention group).
namespace agent::offsite {

struct PlannedUpload {
  LocalBackup backup;
  policies::Decision decision;  // what the off-site policy says of the copy once it is there
};

// Newest first (the newest backup matters most when time or bandwidth runs short).
std::vector<PlannedUpload> plan_uploads(const Config& config, const TargetConfig& target,
                                        const OffsiteDestination& destination,
                                        const std::vector<LocalBackup>& backups,
                                        const ZoneCalendar& calendar);

}  // namespace agent::offsite
