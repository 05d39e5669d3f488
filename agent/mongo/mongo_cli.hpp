#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <tl/expected.hpp>

#include "agent/cli/command_context.hpp"
#include "agent/config/config.hpp"
#include "agent/mongo/mongo_backup.hpp"

// The mongo tier's commands: `restore mongo` and `export`.
namespace agent::mongo {

// Loads the configuration named by the global options; on failure prints every diagnostic,
// sets ctx.exit_code to 2 and returns nullopt.
std::optional<Config> load_config_for_command(CommandContext& ctx);

// The target named `name`, or the only target with a mongo tier when `name` is empty.
tl::expected<const TargetConfig*, std::string> select_mongo_target_ptr(const Config& config,
                                                                       const std::string& name);
// Same, as a reference wrapper for callers that need the target's mongo section.
struct SelectedTarget {
  std::string name;
  const MongoConfig* mongo;
};
tl::expected<SelectedTarget, std::string> select_mongo_target(const Config& config,
                                                              const std::string& name);

// Registrars with an injectable SSH session factory (tests point it at a fixture).
void add_restore_mongo_command(CLI::App& app, CommandContext& ctx, const SessionFactory& sessions);
void add_export_command(CLI::App& app, CommandContext& ctx);

}  // namespace agent::mongo
