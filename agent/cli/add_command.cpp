#include "agent/cli/add_command.hpp"

#include <utility>

namespace agent {

CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& summary,
                      std::string details, ExitCodeHelp exit_codes) {
  CLI::App* cmd = parent.add_subcommand(name, summary);
  // CLI11 prints a footer callback's text, then the footer text, which the subcommand
  // inherited from `parent` (the program's exit code table).
  if (exit_codes == ExitCodeHelp::in_details) cmd->footer(std::string());
  if (!details.empty()) cmd->footer([details = std::move(details)] { return details + "\n"; });
  return cmd;
}

}  // namespace agent
