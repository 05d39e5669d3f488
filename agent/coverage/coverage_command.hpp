#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/config/config_check.hpp"
#include "agent/core/output.hpp"
#include "agent/coverage/coverage_report.hpp"
#include "agent/mongo/ssh_sessions.hpp"
#include "proxmox/client.hpp"

// The coverage preflight's two callers (docs/coverage.md): `config check --coverage` (a table
// or JSON of every target) and `run` (a warning per uncovered finding before the backups, for
// targets with coverage.in_run).
namespace agent::coverage {

struct CoverageDeps {
  // The Proxmox API client (cli/wiring.cpp make_api_client); called once, only when a target
  // has a vzdump tier.
  std::function<proxmox::Result<std::unique_ptr<proxmox::Client>>(const Config&)> api;
  mongo::SessionFactory ssh_sessions;
};

// Every target (or the one named `only_target`); `in_run_only` skips those with
// coverage.in_run false.
std::vector<TargetCoverage> check_coverage(const Config& config, const std::string& only_target,
                                           const CoverageDeps& deps, bool in_run_only = false);

// For `config check --coverage`: the table (or JSON member "coverage") of every target, its
// warnings, and coverage_exit_code.
ConfigSectionMaker config_section(CoverageDeps deps);

// For `run`: checks the selected targets, writes each uncovered or undetermined finding as a
// "warning: coverage: ..." message (and to the log) and returns how many were uncovered (data
// in neither tier; undetermined ones are only reported).
std::size_t run_preflight(const Config& config, const std::string& only_target,
                          const CoverageDeps& deps, Output& out);

}  // namespace agent::coverage
