// `pve-smokerbak offsite list|fetch`: flags, then the bodies in agent/offsite/.
#include <memory>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/offsite/offsite_commands.hpp"

namespace agent {

void register_offsite_commands(CLI::App& app, CommandContext& ctx) {
  auto* offsite = app.add_subcommand("offsite", "List and fetch the encrypted off-site copies");
  offsite->require_subcommand(1);

  auto list = std::make_shared<offsite::ListRequest>();
  auto* ls = add_command(
      *offsite, "list", "List the off-site copies each destination holds",
      "Lists the objects under each destination's prefix that the agent named (target, tier,\n"
      "backup time, encrypted size, ID for `offsite fetch`). Reads the bucket, not the local\n"
      "state, so it works on a new host. Exit codes: 0 listed, 1 a destination could not be\n"
      "listed, 2 usage/configuration error.",
      ExitCodeHelp::in_details);
  ls->add_option("--destination", list->destination, "Only this destination (its name)");
  ls->add_option("--target", list->target, "Only this target");
  ls->add_flag(
      "--json", list->json,
      "JSON array of {destination, target, tier, backup_time, ctime, file, size, key, id}");
  ls->callback([&ctx, list] {
    auto config = load_config_or_report(ctx);
    if (!config) return;
    ctx.exit_code = offsite::list_offsite(*config, ctx.wiring.offsite.clients, *list, ctx.output);
  });

  auto fetch = std::make_shared<offsite::FetchRequest>();
  auto* fe = add_command(
      *offsite, "fetch", "Download, decrypt and validate an off-site copy",
      "Downloads BACKUP (an ID from `offsite list`, a backup id such as backup-20251207-010002\n"
      "or a vzdump archive name, or 'latest' with --target and --tier), decrypts it with the\n"
      "age identity into a .partial file, checks its SHA-256 against the backup's record and\n"
      "validates it fully, then renames it into place: a mongo backup as DIR/<backup id>/ (by\n"
      "default the target's backup_dir, ready for `restore mongo --backup <id>`), a vzdump\n"
      "archive as DIR/<archive name> for `pct restore`. Nothing is left behind on failure.\n"
      "Exit codes: 0 fetched and valid, 1 failed, 2 usage/configuration error.",
      ExitCodeHelp::in_details);
  fe->add_option("BACKUP", fetch->backup, "The copy to fetch")->required();
  fe->add_option("--identity", fetch->identity_file,
                 "age identity file (AGE-SECRET-KEY-1..., as age-keygen writes it)")
      ->required();
  fe->add_option("--to", fetch->to,
                 "Directory to place it in (default for mongo: the target's backup_dir)");
  fe->add_option("--destination", fetch->destination,
                 "Destination to fetch from (default: the first)");
  fe->add_option("--target", fetch->target, "Target of a backup id or 'latest'");
  fe->add_option("--tier", fetch->tier, "Tier of 'latest'")
      ->check(CLI::IsMember({"mongo", "vzdump"}));
  fe->callback([&ctx, fetch] {
    auto config = load_config_or_report(ctx);
    if (!config) return;
    ctx.exit_code = offsite::fetch_offsite(*config, ctx.wiring.offsite.clients, *fetch, ctx.output);
  });
}

}  // namespace agent
