#include "agent/cli/command_context.hpp"

namespace agent {

// The one list of command families. Keep one line per registrar.
void register_all_commands(CLI::App& app, CommandContext& ctx) {
  register_version_command(app, ctx);
  register_config_commands(app, ctx);
  register_retention_commands(app, ctx);
  register_mongo_commands(app, ctx);
  register_run_commands(app, ctx);
  register_status_commands(app, ctx);
  register_validate_commands(app, ctx);
  register_offsite_commands(app, ctx);
  register_drill_commands(app, ctx);
}

}  // namespace agent
