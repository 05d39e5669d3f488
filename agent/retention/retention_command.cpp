#include "agent/cli/command_context.hpp"

namespace agent {

// Adds the retention commands. (Placeholder: commands appear only once they work.)
void register_retention_commands(CLI::App& /*app*/, CommandContext& /*ctx*/) {}

}  // namespace agent
