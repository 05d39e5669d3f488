#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace agent {

// Which exit code text a command's --help ends with.
enum class ExitCodeHelp {
  program_table,  // the program's table (inherited from the parent)
  in_details,     // the command's own, already written in `details`
};

// Adds subcommand `name` to `parent`. The parent's command list shows only `summary` (one
// line), so `pve-smokerbak --help` stays readable; the command's own --help shows `summary`
// at the top and `details` after its options, then the exit codes.
CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& summary,
                      std::string details = {},
                      ExitCodeHelp exit_codes = ExitCodeHelp::program_table);

}  // namespace agent
