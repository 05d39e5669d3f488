// `pve-smokerbak drill`: flags, then the body in agent/drill/drill_command.cpp.
#include <chrono>
#include <memory>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/cli/tier_option.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/drill/drill_command.hpp"
#include "agent/run/drill_metrics.hpp"

namespace agent {

void register_drill_commands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<drill::DrillCommandOptions>();
  auto* cmd = add_command(
      app, "drill", "Restore the newest verified backup of each tier into a scratch place",
      "vzdump: restores the archive through the Proxmox API into the scratch container\n"
      "drill.vzdump.vmid (every network interface link_down=1, start at boot off, tagged\n"
      "smokerbak-drill), starts it, waits until it runs, stops and destroys it. Never touches the\n"
      "target's own container; refuses a scratch vmid that is not the agent's drill copy.\n"
      "mongo: mongorestore --archive over SSH into scratch databases smokerbak_drill_<id>_<db>\n"
      "(or under the original names on drill.mongo.uri), compares every collection's document\n"
      "count and index names with the backup, runs the configured checks, drops the copy.\n"
      "Each drill's steps and RTO are kept for `status`. Takes the run lock.\n"
      "Exit codes: 0 every drill verified its copy, 1 a drill failed, 2 usage or configuration\n"
      "error (no drill configured), 75 another run holds the lock.",
      ExitCodeHelp::in_details);
  cmd->add_option("--target", opts->target, "Only this configured target");
  add_tier_option(cmd, opts->tier);
  cmd->add_option("--backup", opts->backup,
                  "Drill this backup (a vzdump volid or a mongo backup id) instead of the newest\n"
                  "verified one; needs one --target and one --tier");
  cmd->add_option("--from", opts->from.name,
                  "Where the mongo backup comes from: local (mongo.backup_dir, the default) or\n"
                  "offsite (downloaded, decrypted and validated into a private directory under\n"
                  "state_dir, removed afterwards; the download is the drill's fetch step, part of\n"
                  "the RTO). A vzdump drill from off-site is refused: `offsite fetch --to` a\n"
                  "storage's dump directory, then `drill --tier vzdump --backup VOLID`")
      ->check(CLI::IsMember({"local", "offsite"}));
  cmd->add_option("--destination", opts->from.destination,
                  "With --from offsite: the off-site destination (default: the first configured)");
  cmd->add_option("--identity", opts->from.identity,
                  "With --from offsite (required): the age identity file that decrypts the copies");
  cmd->add_flag("--dry-run", opts->dry_run,
                "Show what each drill would restore where, and change nothing");
  cmd->add_flag("--json", opts->json,
                "JSON object {dry_run, plan: [..], drills: [{id, target, tier, backup_id,\n"
                "steps: [{name, seconds}], rto_s, bytes, ok, error_kind, error, verified,\n"
                "warnings, ...}]}");
  cmd->callback([&ctx, opts] {
    auto clock = make_clock_or_report(ctx);
    if (!clock) return;
    auto config = load_config_or_report(ctx);
    if (!config) return;
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(clock->now().time_since_epoch()).count();
    const drill::DrillDeps deps = make_drill_deps(*config, *clock, ctx.wiring);
    ctx.exit_code = drill::drill_command(*config, *opts, deps, now, ctx.output);
    if (!opts->dry_run && ctx.exit_code != exit_code::k_usage &&
        ctx.exit_code != exit_code::k_locked) {
      const TierSet tiers = make_tiers(*config, *clock, ctx.wiring, TierPurpose::status);
      if (auto err = refresh_metrics_file(*config, tiers)) {
        ctx.output.message("pve-smokerbak: metrics not written: " + *err + "\n");
      }
    }
  });
}

}  // namespace agent
