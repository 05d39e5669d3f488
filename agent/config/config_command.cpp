#include "agent/cli/command_context.hpp"

namespace agent {

// Adds the config commands. (Placeholder: commands appear only once they work.)
void register_config_commands(CLI::App& /*app*/, CommandContext& /*ctx*/) {}

}  // namespace agent
