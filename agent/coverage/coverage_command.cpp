#include "agent/coverage/coverage_command.hpp"

#include <spdlog/spdlog.h>

#include "agent/coverage/coverage_probe.hpp"

namespace agent::coverage {

std::vector<TargetCoverage> check_coverage(const Config& config, const std::string& only_target,
                                           const CoverageDeps& deps, bool in_run_only) {
  std::vector<TargetCoverage> reports;
  std::unique_ptr<proxmox::Client> api;
  std::string api_error;
  bool api_made = false;
  for (const auto& target : config.targets) {
    if (!only_target.empty() && target.name != only_target) continue;
    if (in_run_only && !target.coverage.in_run) continue;
    if (target.vzdump && !api_made) {
      api_made = true;
      if (!deps.api) {
        api_error = "no Proxmox API client";
      } else if (auto made = deps.api(config); made) {
        api = std::move(*made);
      } else {
        api_error = made.error().message;
      }
    }
    const Facts facts = gather_facts(target, api.get(), api_error, deps.ssh_sessions);
    reports.push_back(assess(target, facts));
  }
  return reports;
}

ConfigSectionMaker config_section(CoverageDeps deps) {
  return [deps = std::move(deps)](const Config& config) {
    const auto reports = check_coverage(config, "", deps);
    ConfigSection s;
    s.name = "coverage";
    s.text = coverage_text(reports);
    s.json = coverage_json(reports);
    for (const auto& r : reports) {
      for (auto& w : coverage_warnings(r)) s.warnings.push_back("coverage: " + std::move(w));
    }
    s.exit_code = coverage_exit_code(reports);
    return s;
  };
}

std::size_t run_preflight(const Config& config, const std::string& only_target,
                          const CoverageDeps& deps, Output& out) {
  std::size_t uncovered = 0;
  for (const auto& report : check_coverage(config, only_target, deps, true)) {
    uncovered += report.count(State::uncovered);
    for (const auto& line : coverage_warnings(report)) {
      spdlog::warn("coverage: {}", line);
      out.message("warning: coverage: " + line + "\n");
    }
  }
  return uncovered;
}

}  // namespace agent::coverage
