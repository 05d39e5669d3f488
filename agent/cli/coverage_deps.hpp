#pragma once

#include "agent/cli/wiring.hpp"
#include "agent/coverage/coverage_command.hpp"

namespace agent {

// What the coverage preflight reads through (`config check --coverage`, `run`): the API client
// of wiring.cpp (read-only calls, at most 10 s each) and the wiring's SSH session factory.
coverage::CoverageDeps coverage_deps(const Wiring& wiring);

}  // namespace agent
