#pragma once

#include <cstdint>
#include <string>

#include "policies/local_calendar.hpp"
#include "policies/retention_engine.hpp"

// The period each keep-* rule groups backups by, computed from local time as Proxmox does:
// last = the ctime itself, hourly = local date and hour, daily = local date, weekly = ISO
// week and ISO year, monthly = year and month, yearly = calendar year.
namespace policies {

// A number equal for two backups exactly when they share `rule`'s period.
std::int64_t period_key(Rule rule, std::int64_t ctime, const LocalFields& local);

// The period for people: "2025-12-07 01:02:03" (last), "2025-12-07 01:00" (hourly),
// "2025-12-07" (daily), "2025-W49" (weekly), "2025-12" (monthly), "2025" (yearly).
std::string period_label(Rule rule, const LocalFields& local);

}  // namespace policies
