#include "agent/run/run_id.hpp"

#include "agent/core/human_format.hpp"

namespace agent {

std::string make_run_id(std::chrono::system_clock::time_point start) {
  return format_utc(std::chrono::system_clock::to_time_t(start), "%Y%m%dT%H%M%SZ");
}

}  // namespace agent
