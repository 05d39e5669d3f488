#pragma once

#include <chrono>
#include <string>

namespace agent {

// The run id: the run's start in UTC, "YYYYMMDDTHHMMSSZ" (e.g. "20251207T010002Z"). Both
// tiers of a run carry it (vzdump notes tag `smokerbak:<run-id>`, mongo manifest `run_id`).
std::string make_run_id(std::chrono::system_clock::time_point start);

}  // namespace agent
