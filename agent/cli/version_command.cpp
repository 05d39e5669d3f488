#include "agent/cli/command_context.hpp"
#include "agent/core/exit_codes.hpp"

namespace agent {

void register_version_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("version", "Print the version and exit");
  cmd->callback([&ctx] {
    ctx.output.result(std::string("pve-smokerbak ") + SMOKERBAK_VERSION + "\n");
    ctx.exit_code = exit_code::k_success;
  });
}

}  // namespace agent
