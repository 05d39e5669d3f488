// `pve-smokerbak export`: a stored archive as the per-collection directory layout of
// `mongodump --out --gzip`, for restoring by hand with the old runbook.
#include <iostream>

#include "agent/cli/add_command.hpp"
#include "agent/config/config_loader.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/mongo_cli.hpp"
#include "agent/mongo_format/archive_export.hpp"

namespace agent::mongo {

std::optional<Config> load_config_for_command(CommandContext& ctx) {
  auto loaded = load_config_file(ctx.global.config_path);
  if (!loaded) {
    for (const auto& d : loaded.error()) std::cerr << "pve-smokerbak: " << d.to_string() << "\n";
    ctx.exit_code = exit_code::k_usage;
    return std::nullopt;
  }
  return std::move(loaded->config);
}

tl::expected<SelectedTarget, std::string> select_mongo_target(const Config& config,
                                                              const std::string& name) {
  auto t = select_mongo_target_ptr(config, name);
  if (!t) return tl::make_unexpected(t.error());
  return SelectedTarget{(*t)->name, &*(*t)->mongo};
}

tl::expected<const TargetConfig*, std::string> select_mongo_target_ptr(const Config& config,
                                                                       const std::string& name) {
  if (!name.empty()) {
    const auto* t = config.find_target(name);
    if (t == nullptr) return tl::make_unexpected("no target named '" + name + "' in the config");
    if (!t->mongo) return tl::make_unexpected("target '" + name + "' has no mongo tier");
    return t;
  }
  const TargetConfig* found = nullptr;
  for (const auto& t : config.targets) {
    if (!t.mongo) continue;
    if (found != nullptr) {
      return tl::make_unexpected("several targets have a mongo tier; choose one with --target");
    }
    found = &t;
  }
  if (found == nullptr) return tl::make_unexpected("no target has a mongo tier");
  return found;
}

namespace {

struct ExportArgs {
  std::string target;
  std::string backup;
  std::string dir;
};

int run_export(CommandContext& ctx, const ExportArgs& args) {
  auto config = load_config_for_command(ctx);
  if (!config) return ctx.exit_code;
  auto sel = select_mongo_target(*config, args.target);
  if (!sel) {
    std::cerr << "pve-smokerbak: " << sel.error() << "\n";
    return exit_code::k_usage;
  }
  const BackupStore store(sel->mongo->backup_dir);
  auto backup = store.resolve(args.backup);
  if (!backup) {
    std::cerr << "pve-smokerbak: " << backup.error() << "\n";
    return exit_code::k_failure;
  }
  auto r = mongo_format::export_archive_to_directory(backup->dir / backup->manifest.archive_file,
                                                     args.dir);
  if (!r) {
    std::cerr << "pve-smokerbak: export of " << backup->id << " failed: " << r.error() << "\n";
    return exit_code::k_failure;
  }
  std::cout << "Exported " << backup->id << " to " << args.dir << " (" << backup->manifest.database
            << "/<collection>.bson.gz + .metadata.json.gz); restore by hand with: mongorestore "
               "--gzip --dir="
            << args.dir << "\n";
  return exit_code::k_success;
}

}  // namespace

void add_export_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = add_command(
      app, "export", "Write a mongo backup as mongodump's directory layout",
      "Writes the archive as <db>/<coll>.bson.gz and <coll>.metadata.json.gz, byte-faithful,\n"
      "for restoring by hand with mongorestore --dir. Exit codes: 0 exported, 1 backup missing\n"
      "or invalid, 2 usage/configuration error.",
      ExitCodeHelp::in_details);
  cmd->add_option("--target", args->target,
                  "Target name (optional when exactly one target has a mongo tier)");
  cmd->add_option("--backup", args->backup, "Backup directory name or 'latest'")->required();
  cmd->add_option("DIR", args->dir, "Output directory (must not exist or be empty)")->required();
  cmd->callback([&ctx, args] { ctx.exit_code = run_export(ctx, *args); });
}

}  // namespace agent::mongo
