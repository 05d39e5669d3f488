#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/core/clock.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/status/status_report.hpp"
#include "agent/status/systemd_timer.hpp"
#include "agent/vzdump/vzdump_tier.hpp"

namespace agent {
namespace {

struct StatusOptions {
  bool json = false;
  bool check = false;
};

// Asks the Proxmox API for its version with a short timeout; the error text when it fails.
std::optional<std::string> probe_proxmox(const Config& config) {
  bool any_vzdump = false;
  for (const auto& t : config.targets) any_vzdump = any_vzdump || t.vzdump.has_value();
  if (!any_vzdump) return std::nullopt;
  Config quick = config;
  quick.proxmox.timeout_s = std::min(quick.proxmox.timeout_s, 5);
  auto client = make_api_client(quick);
  if (!client) return client.error().message;
  auto version = (*client)->version();
  if (!version) return version.error().message;
  return std::nullopt;
}

}  // namespace

void register_list_command(CLI::App& app, CommandContext& ctx);  // list_command.cpp

void register_status_commands(CLI::App& app, CommandContext& ctx) {
  register_list_command(app, ctx);
  auto opts = std::make_shared<StatusOptions>();
  auto* cmd = add_command(
      app, "status", "Show the health of every target and tier (table, --json or --check)",
      "Shows per target and tier: last successful backup and its age, last run result, kept\n"
      "backups per rule, size, validation, storage projection, warnings, next scheduled run.\n"
      "Works from local state when Proxmox or the container is unreachable. Freshness limits\n"
      "follow the schedule (nightly: warning past 26 h, critical past 50 h).");
  auto* json = cmd->add_flag("--json", opts->json, "Machine-readable JSON (stable schema)");
  cmd->add_flag("--check", opts->check,
                "One Nagios-style line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
      ->excludes(json);
  cmd->callback([&ctx, opts] {
    auto config = load_config_or_report(ctx);
    if (!config) {
      if (opts->check) {
        std::cout << "PVE-SMOKERBAK UNKNOWN - configuration invalid\n";
        ctx.exit_code = 3;
      }
      return;
    }
    SystemClock clock;
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
    const TimerFacts timer = query_systemd_timer();
    const StatusReport report =
        build_status(*config, now, timer.interval_s, timer.next_run, probe_proxmox(*config));
    if (opts->check) {
      std::cout << render_status_check(report) << "\n";
      ctx.exit_code = nagios_code(report.health);
    } else if (opts->json) {
      std::cout << render_status_json(report) << "\n";
      ctx.exit_code = exit_code::k_success;
    } else {
      std::cout << render_status_table(report);
      ctx.exit_code = exit_code::k_success;
    }
  });
}

}  // namespace agent
