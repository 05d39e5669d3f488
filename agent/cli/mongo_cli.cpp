// `pve-smokerbak restore mongo` and `export`: flags, then the bodies in agent/mongo/.
#include <memory>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/mongo/export.hpp"
#include "agent/mongo/restore.hpp"

namespace agent {
namespace {

void register_restore_command(CLI::App& app, CommandContext& ctx) {
  auto* restore = app.add_subcommand("restore", "Restore a backup (mongo tier)");
  restore->require_subcommand(1);
  auto* cmd = add_command(
      *restore, "mongo", "Validate a mongo backup, then restore it over SSH with mongorestore",
      "Validates the stored backup, then streams it over SSH into `<command> mongorestore\n"
      "--archive --gzip` (password on stdin, never in argv). Exit codes: 0 restored (or dry\n"
      "run shown), 1 validation or restore failed, 2 usage/configuration error.",
      ExitCodeHelp::in_details);
  auto args = std::make_shared<mongo::RestoreRequest>();
  cmd->add_option("--target", args->target,
                  "Target name (optional when exactly one target has a mongo tier)");
  cmd->add_option("--backup", args->backup, "Backup directory name or 'latest'")
      ->capture_default_str();
  cmd->add_option("--into-db", args->into_db,
                  "Restore into this (scratch) database via --nsFrom/--nsTo, for restore drills");
  cmd->add_flag("--drop", args->drop, "Drop each restored collection in the target first");
  cmd->add_flag("--dry-run", args->dry_run, "Validate and show what would be sent where");
  cmd->callback([&ctx, args] {
    auto config = load_config_or_report(ctx);
    if (!config) return;
    auto clock = make_clock_or_report(ctx);
    if (!clock) return;
    ctx.exit_code =
        mongo::restore_mongo(*config, *args, ctx.wiring.ssh_sessions, *clock, ctx.output);
  });
}

void register_export_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<mongo::ExportRequest>();
  auto* cmd = add_command(
      app, "export", "Write a mongo backup as mongodump's directory layout",
      "Writes the archive as <db>/<coll>.bson.gz and <coll>.metadata.json.gz, byte-faithful,\n"
      "for restoring by hand with mongorestore --dir. Exit codes: 0 exported, 1 backup missing\n"
      "or invalid, 2 usage/configuration error.",
      ExitCodeHelp::in_details);
  cmd->add_option("--target", args->target,
                  "Target name (optional when exactly one target has a mongo tier)");
  cmd->add_option("--backup", args->backup, "Backup directory name or 'latest'")->required();
  cmd->add_option("DIR", args->dir,
                  "Output directory (created 0700; must not exist or be empty unless --overwrite)")
      ->required();
  cmd->add_flag("--overwrite", args->overwrite,
                "Write into a non-empty DIR, replacing files of the same names (never through a "
                "symbolic link)");
  cmd->callback([&ctx, args] {
    auto config = load_config_or_report(ctx);
    if (!config) return;
    ctx.exit_code = mongo::export_mongo(*config, *args, ctx.output);
  });
}

}  // namespace

void register_mongo_commands(CLI::App& app, CommandContext& ctx) {
  register_restore_command(app, ctx);
  register_export_command(app, ctx);
}

}  // namespace agent
