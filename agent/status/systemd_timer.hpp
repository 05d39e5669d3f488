#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace agent {

// What systemd says about pve-smokerbak.timer; empty when systemd is not running (no
// /run/systemd/system) or the timer is not installed.
struct TimerFacts {
  std::optional<std::int64_t> interval_s;  // from OnCalendar: hourly -> 3600, daily -> 86400
  std::optional<std::string> next_run;     // systemd's NextElapseUSecRealtime text
};

TimerFacts query_systemd_timer(const std::string& unit = "pve-smokerbak.timer");

// Period of an OnCalendar expression, when it is one of the common shapes ("hourly", "daily",
// "weekly", "*-*-* 01:00:00", "*-*-* *:00:00").
std::optional<std::int64_t> calendar_interval(const std::string& on_calendar);

}  // namespace agent
