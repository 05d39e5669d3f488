// `pve-smokerbak validate`: flags, then the bodies in agent/validate/.
#include <chrono>
#include <memory>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/offsite/offsite_commands.hpp"
#include "agent/validate/validate_command.hpp"

namespace agent {

void register_validate_commands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ValidateOptions>();
  auto* cmd = add_command(
      app, "validate", "Re-check kept backups of both tiers by reading them again from disk",
      "The weekly pve-smokerbak-validate.timer runs this. Without BACKUP arguments: every backup "
      "of every\n"
      "configured target (or --target) - mongo archive backups (SHA-256 against manifest.json,\n"
      "full archive validation, document counts against the manifest), directory-form mongodump\n"
      "dumps found in backup_dir, and the vzdump archives the agent recorded under state_dir\n"
      "(decompression, tar walk, SHA-256 against the record). Then history checks, oldest to\n"
      "newest: a backup time in the future is an error; size or a collection's document count\n"
      "shrinking by more than shrink_warn_percent versus the previous valid backup is a warning.\n"
      "Rewrites validation-report.txt/.json in each mongo backup_dir and records the verdict for\n"
      "`status`. Takes the run lock.\n"
      "With BACKUP arguments (backup directories, directory dumps, manifest.json, mongodump\n"
      "archive or vzdump archive files): checks only those, needs no config file, changes no\n"
      "files; shrink warnings use the default 50%.\n"
      "Exit codes: 0 all valid, 1 a backup is invalid, 2 usage or configuration error,\n"
      "3 valid with warnings, 75 another run holds the lock.",
      ExitCodeHelp::in_details);
  cmd->add_option("--target", opts->target,
                  "Only this configured target (with BACKUP paths: a label for the output)");
  cmd->add_flag("--json", opts->json,
                "JSON object {checked_at, exit_code, valid_count, invalid_count, warning_count,\n"
                "backups: [{target, tier, id, path, form, verdict, valid, documents, size,\n"
                "started_at, collections, errors, warnings}]}");
  cmd->add_option("BACKUP", opts->paths, "Backup directories or archive files to check");
  auto offsite = std::make_shared<offsite::VerifyRequest>();
  auto offsite_on = std::make_shared<bool>(false);
  auto budget_mib = std::make_shared<std::uint64_t>(0);
  auto* off = cmd->add_flag("--offsite", *offsite_on,
                            "Check the off-site copies instead: re-download and re-hash what the "
                            "receipts name "
                            "(within each destination's verify_budget_mib per run, "
                            "least recently checked first)");
  cmd->add_option("--identity", offsite->identity_file,
                  "With --offsite: age identity file; also decrypt and fully validate each copy")
      ->needs(off);
  cmd->add_option("--destination", offsite->destination, "With --offsite: only this destination")
      ->needs(off);
  auto* budget = cmd->add_option("--budget-mib", *budget_mib,
                                 "With --offsite: re-download at most this many MiB per "
                                 "destination")
                     ->needs(off);
  cmd->add_flag("--all", offsite->all, "With --offsite: every copy, whatever the budget")
      ->needs(off)
      ->excludes(budget);
  cmd->callback([&ctx, opts, offsite, offsite_on, budget_mib, budget] {
    if (*offsite_on) {
      auto config = load_config_or_report(ctx);
      if (!config) return;
      auto clock = make_clock_or_report(ctx);
      if (!clock) return;
      offsite->target = opts->target;
      offsite->json = opts->json;
      if (budget->count() > 0) offsite->budget_bytes = *budget_mib << 20;
      const std::int64_t now =
          std::chrono::duration_cast<std::chrono::seconds>(clock->now().time_since_epoch()).count();
      ctx.exit_code =
          offsite::validate_offsite(*config, ctx.wiring.offsite.clients, *offsite, now, ctx.output);
      return;
    }
    auto clock = make_clock_or_report(ctx);
    if (!clock) return;
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(clock->now().time_since_epoch()).count();
    if (!opts->paths.empty()) {
      ctx.exit_code = validate_paths(*opts, now, ctx.output);
      return;
    }
    auto config = load_config_or_report(ctx);
    if (!config) return;
    ctx.exit_code = validate_configured(*config, *opts, now, ctx.output);
  });
}

}  // namespace agent
