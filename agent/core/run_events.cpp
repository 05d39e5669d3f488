#include "agent/core/run_events.hpp"

#include <cstdio>

namespace agent {
namespace {

std::string one_decimal(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", seconds);
  return buf;
}

}  // namespace

std::string describe(const EventDelivery& d) {
  std::string s = d.what + " to " + d.shown_url + ": ";
  switch (d.state) {
    case EventDelivery::State::sent:
      return s + "sent (HTTP " + std::to_string(d.http_status) + ", " + std::to_string(d.attempts) +
             (d.attempts == 1 ? " attempt, " : " attempts, ") + one_decimal(d.seconds) + " s)";
    case EventDelivery::State::would_send:
      return s + "not sent (dry run); " + d.detail;
    case EventDelivery::State::failed:
      break;
  }
  return s + "FAILED after " + std::to_string(d.attempts) +
         (d.attempts == 1 ? " attempt" : " attempts") + " in " + one_decimal(d.seconds) +
         " s: " + d.detail + " (the backups are not affected)";
}

}  // namespace agent
