// `pve-smokerbak run` and `prune`: flags, then the orchestrator (agent/run/run_job.hpp) with
// the tiers and a text reporter.
#include <memory>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/coverage_deps.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/cli/tier_option.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/run/run_job.hpp"

namespace agent {
namespace {

struct RunFlags {
  std::string target;
  std::string tier = "all";
  bool dry_run = false;
  bool no_prune = false;
};

void add_target_and_tier(CLI::App* cmd, RunFlags& flags) {
  cmd->add_option("--target", flags.target, "Only this target (default: every target)");
  add_tier_option(cmd, flags.tier);
  cmd->add_flag("--dry-run", flags.dry_run, "Change nothing anywhere; print what would be done");
}

void execute(CommandContext& ctx, const RunFlags& flags, bool prune_only) {
  auto config = load_config_or_report(ctx);
  if (!config) return;
  auto clock = make_clock_or_report(ctx);
  if (!clock) return;
  RunOptions options;
  options.target = flags.target;
  options.tier = selected_tier(flags.tier);
  options.dry_run = flags.dry_run;
  options.no_prune = flags.no_prune;
  options.prune_only = prune_only;
  // The coverage preflight (targets with coverage.in_run): data in neither tier warns (exit 3).
  const std::size_t uncovered =
      prune_only
          ? 0
          : coverage::run_preflight(*config, flags.target, coverage_deps(ctx.wiring), ctx.output);
  TierSet tiers = make_tiers(*config, *clock, ctx.wiring);
  TextReporter reporter(ctx.output);
  std::unique_ptr<RunEvents> events;  // `run` only: prune sends nothing
  if (!prune_only) events = make_run_events(*config, ctx.wiring);
  auto after = make_after_backups(*config, *clock, ctx.wiring);
  ctx.exit_code =
      execute_run(*config, options, tiers, *clock, reporter, events.get(), after.get()).exit_code;
  if (uncovered > 0 && ctx.exit_code == exit_code::k_success) ctx.exit_code = exit_code::k_warnings;
}

}  // namespace

void register_run_commands(CLI::App& app, CommandContext& ctx) {
  auto run_flags = std::make_shared<RunFlags>();
  auto* run = add_command(
      app, "run", "The timer's job: back up, verify and prune every target (both tiers)",
      "Backs up every target (vzdump archive through the Proxmox API, then mongodump over\n"
      "SSH, sharing one run id), verifies both, applies retention to each tier whose backup\n"
      "succeeded, updates notes, state and metrics, then performs each tier's restore drill\n"
      "that is due (drill.in_run, drill.every) when that tier's backup succeeded. First the\n"
      "coverage preflight (targets with coverage.in_run, as `config check --coverage`) warns\n"
      "about data neither tier backs up. Exit 0 ok, 1 a tier or a drill failed, 3 warnings\n"
      "(also: uncovered data), 75 another run holds the lock.");
  add_target_and_tier(run, *run_flags);
  run->add_flag("--no-prune", run_flags->no_prune, "Make and verify backups but skip retention");
  run->callback([&ctx, run_flags] { execute(ctx, *run_flags, false); });

  auto prune_flags = std::make_shared<RunFlags>();
  auto* prune = add_command(
      app, "prune", "Apply the retention policy without making new backups",
      "Applies the retention policy to each tier's backups without making new ones; with\n"
      "--dry-run prints the plan (keep/remove with reasons) and changes nothing.");
  add_target_and_tier(prune, *prune_flags);
  prune->callback([&ctx, prune_flags] { execute(ctx, *prune_flags, true); });
}

}  // namespace agent
