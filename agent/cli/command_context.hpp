#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "agent/cli/wiring.hpp"
#include "agent/config/config_loader.hpp"
#include "agent/core/output.hpp"

namespace agent {

// Options shared by every command, filled by CLI11 before a command's callback runs.
struct GlobalOptions {
  std::string config_path = k_default_config_file;
  bool config_path_from_env = false;  // set when PVE_SMOKERBAK_CONFIG supplied the path
  std::string log_level = "info";
};

// Handed to every command registrar. A command's callback builds what it needs from `wiring`
// (agent/cli/wiring.hpp), writes through `output` and stores its process exit code
// (agent::exit_code) in `exit_code`; main() returns it.
struct CommandContext {
  explicit CommandContext(Output& out) : output(out) {}
  GlobalOptions global;
  Wiring wiring;
  Output& output;
  int exit_code = 0;
};

// Each command family provides one registrar that adds its subcommands to `app`.
// Commands are added only once they work (DEVELOPERS.md).
void register_version_command(CLI::App& app, CommandContext& ctx);
void register_config_commands(CLI::App& app, CommandContext& ctx);
void register_retention_commands(CLI::App& app, CommandContext& ctx);
void register_mongo_commands(CLI::App& app, CommandContext& ctx);
void register_run_commands(CLI::App& app, CommandContext& ctx);
void register_status_commands(CLI::App& app, CommandContext& ctx);
void register_validate_commands(CLI::App& app, CommandContext& ctx);
void register_offsite_commands(CLI::App& app, CommandContext& ctx);
void register_drill_commands(CLI::App& app, CommandContext& ctx);
// The one list of command families (commands.cpp).
void register_all_commands(CLI::App& app, CommandContext& ctx);

}  // namespace agent
