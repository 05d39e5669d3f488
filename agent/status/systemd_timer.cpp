#include "agent/status/systemd_timer.hpp"

#include <cstdio>
#include <filesystem>
#include <regex>

namespace agent {
namespace {

std::string run_capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  ::pclose(p);
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::optional<std::int64_t> calendar_interval(const std::string& on_calendar) {
  if (on_calendar.find("hourly") != std::string::npos) return 3600;
  if (on_calendar.find("weekly") != std::string::npos) return 7 * 86400;
  if (on_calendar.find("daily") != std::string::npos) return 86400;
  static const std::regex hourly(R"(\*-\*-\* \*:\d\d(:\d\d)?)");
  static const std::regex daily(R"(\*-\*-\* \d\d?:\d\d(:\d\d)?)");
  if (std::regex_search(on_calendar, hourly)) return 3600;
  if (std::regex_search(on_calendar, daily)) return 86400;
  return std::nullopt;
}

TimerFacts query_systemd_timer(const std::string& unit) {
  TimerFacts facts;
  std::error_code ec;
  if (!std::filesystem::exists("/run/systemd/system", ec)) return facts;
  const std::string base = "systemctl show " + unit + " --value -p ";
  const std::string calendar = trim(run_capture(base + "TimersCalendar 2>/dev/null"));
  if (!calendar.empty()) facts.interval_s = calendar_interval(calendar);
  const std::string next = trim(run_capture(base + "NextElapseUSecRealtime 2>/dev/null"));
  if (!next.empty() && next != "n/a" && next != "0") facts.next_run = next;
  return facts;
}

}  // namespace agent
