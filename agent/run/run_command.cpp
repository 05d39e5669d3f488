#include <iostream>
#include <memory>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/core/clock.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/run/run_job.hpp"

namespace agent {
namespace {

void add_target_and_tier(CLI::App* cmd, RunOptions& opts) {
  cmd->add_option("--target", opts.target, "Only this target (default: every target)");
  cmd->add_option("--tier", opts.tier, "Only this tier")
      ->check(CLI::IsMember({"vzdump", "mongo", "all"}))
      ->capture_default_str();
  cmd->add_flag("--dry-run", opts.dry_run, "Change nothing anywhere; print what would be done");
}

void execute(CommandContext& ctx, const RunOptions& opts) {
  auto config = load_config_or_report(ctx);
  if (!config) return;
  SystemClock clock;
  if (clock.override_error()) {
    std::cerr << "pve-smokerbak: " << *clock.override_error() << "\n";
    ctx.exit_code = exit_code::k_usage;
    return;
  }
  ctx.exit_code = execute_run(*config, opts, clock, std::cout);
}

}  // namespace

void register_run_commands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<RunOptions>();
  auto* run = add_command(
      app, "run", "The timer's job: back up, verify and prune every target (both tiers)",
      "Backs up every target (vzdump archive through the Proxmox API, then mongodump over\n"
      "SSH, sharing one run id), verifies both, applies retention to each tier whose backup\n"
      "succeeded, updates notes, state and metrics. Exit 0 ok, 1 a tier failed, 3 warnings,\n"
      "75 another run holds the lock.");
  add_target_and_tier(run, *opts);
  run->add_flag("--no-prune", opts->no_prune, "Make and verify backups but skip retention");
  run->callback([&ctx, opts] { execute(ctx, *opts); });

  auto prune_opts = std::make_shared<RunOptions>();
  prune_opts->prune_only = true;
  auto* prune = add_command(
      app, "prune", "Apply the retention policy without making new backups",
      "Applies the retention policy to each tier's backups without making new ones; with\n"
      "--dry-run prints the plan (keep/remove with reasons) and changes nothing.");
  add_target_and_tier(prune, *prune_opts);
  prune->callback([&ctx, prune_opts] { execute(ctx, *prune_opts); });
}

}  // namespace agent
