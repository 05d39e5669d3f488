#include "agent/cli/coverage_deps.hpp"

#include <chrono>

#include "agent/core/clock.hpp"

namespace agent {

coverage::CoverageDeps coverage_deps(const Wiring& wiring) {
  coverage::CoverageDeps deps;
  deps.api = [](const Config& config) {
    static const SystemClock clock;  // only read-only calls: no task times to compare
    return make_api_client(config, clock, std::chrono::seconds(10));
  };
  deps.ssh_sessions = wiring.ssh_sessions;
  return deps;
}

}  // namespace agent
