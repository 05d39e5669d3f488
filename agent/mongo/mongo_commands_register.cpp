#include "agent/cli/command_context.hpp"
#include "agent/mongo/mongo_cli.hpp"

namespace agent {

void register_mongo_commands(CLI::App& app, CommandContext& ctx) {
  mongo::add_restore_mongo_command(
      app, ctx, [](const remote::SshOptions& o) { return remote::connect_ssh(o); });
  mongo::add_export_command(app, ctx);
}

}  // namespace agent
