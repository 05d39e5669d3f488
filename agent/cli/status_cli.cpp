// `pve-smokerbak status` and `list`: flags, then the bodies in agent/status/.
#include <chrono>
#include <memory>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/cli/tier_option.hpp"
#include "agent/offsite/offsite_report.hpp"
#include "agent/status/status_command.hpp"

namespace agent {
namespace {

// The off-site destinations as a status section (agent/offsite/offsite_report.hpp).
std::vector<StatusSection> offsite_status_sections(const Config& config, std::int64_t now,
                                                   const TimerFacts& timer) {
  if (!config.offsite.enabled()) return {};
  const auto reports = offsite::destination_reports(config, now, timer.interval_s);
  StatusSection s;
  s.key = "offsite";
  s.table = offsite::render_reports_table(reports, now);
  s.json = offsite::render_reports_json(reports);
  for (const auto& r : reports) {
    const Health h = r.level == offsite::Level::critical  ? Health::critical
                     : r.level == offsite::Level::warning ? Health::warning
                                                          : Health::ok;
    if (h != Health::ok && worst(s.health, h) == h && h != s.health) {
      s.reason = "offsite/" + r.name + ": " + (r.reasons.empty() ? "" : r.reasons.front());
    }
    s.health = worst(s.health, h);
  }
  return {s};
}

struct ListFlags {
  std::string target;
  std::string tier = "all";
  bool json = false;
};

void register_list_command(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<ListFlags>();
  auto* cmd = add_command(
      app, "list", "List every backup with its retention mark, reason and validation",
      "Lists every backup of both tiers, newest first, with the mark the next prune would give\n"
      "it (keep/remove/protected) and why, and its validation verdict. Changes nothing.");
  cmd->add_option("--target", flags->target, "Only this target");
  add_tier_option(cmd, flags->tier);
  cmd->add_flag("--json", flags->json,
                "JSON array of {target, tier, id, ctime, bytes, mark, "
                "reason, validation, run_id}");
  cmd->callback([&ctx, flags] {
    auto config = load_config_or_report(ctx);
    if (!config) return;
    auto clock = make_clock_or_report(ctx);
    if (!clock) return;
    TierSet tiers = make_tiers(*config, *clock, ctx.wiring);
    ListOptions options{flags->target, selected_tier(flags->tier), flags->json};
    ctx.exit_code = list_backups(*config, tiers, options, ctx.output);
  });
}

}  // namespace

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
        ctx.output.result("PVE-SMOKERBAK UNKNOWN - configuration invalid\n");
        ctx.exit_code = 3;
      }
      return;
    }
    auto clock = make_clock_or_report(ctx);
    if (!clock) return;
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(clock->now().time_since_epoch()).count();
    TierSet tiers = make_tiers(*config, *clock, ctx.wiring, TierPurpose::status);
    const TimerFacts timer = query_systemd_timer();
    ctx.exit_code = show_status(*config, tiers, *opts, now, timer, ctx.output,
                                offsite_status_sections(*config, now, timer));
  });
}

}  // namespace agent
