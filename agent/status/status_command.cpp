#include "agent/status/status_command.hpp"

#include "agent/core/exit_codes.hpp"
#include "agent/status/status_report.hpp"

namespace agent {

int show_status(const Config& config, TierSet& tiers, const StatusOptions& options,
                std::int64_t now, const TimerFacts& timer, Output& out) {
  StatusFacts facts;
  facts.timer_interval_s = timer.interval_s;
  facts.next_run = timer.next_run;
  for (const auto& tier : tiers.all()) {
    bool used = false;
    for (const auto& t : config.targets) used = used || tier->configured(t);
    if (!used) continue;
    if (auto error = tier->probe()) facts.unreachable.emplace(tier->name(), std::move(*error));
  }
  const StatusReport report = build_status(config, tiers, now, facts);
  if (options.check) {
    out.result(render_status_check(report) + "\n");
    return nagios_code(report.health);
  }
  if (options.json) {
    out.json(render_status_json(report) + "\n");
  } else {
    out.result(render_status_table(report));
  }
  return exit_code::k_success;
}

}  // namespace agent
