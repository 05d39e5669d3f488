#include "agent/run/run_id.hpp"

#include <ctime>

namespace agent {

std::string make_run_id(std::chrono::system_clock::time_point start) {
  const std::time_t t = std::chrono::system_clock::to_time_t(start);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[24];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace agent
