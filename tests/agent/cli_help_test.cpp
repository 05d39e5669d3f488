// The command line's help text: one readable line per command in `pve-smokerbak --help`, and
// each command's own --help carrying its details and exit codes.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "agent/cli/command_context.hpp"
#include "agent/core/exit_codes.hpp"

namespace {

struct Program {
  std::ostringstream out, err;
  agent::StreamOutput output{out, err};
  agent::CommandContext ctx{output};
  CLI::App app{"pve-smokerbak"};
  Program() {
    app.footer(agent::exit_code::k_help);
    agent::register_all_commands(app, ctx);
  }
};

// The lines of the "Subcommands:" section.
std::vector<std::string> command_lines(const std::string& help) {
  std::vector<std::string> lines;
  std::istringstream in(help.substr(help.find("Subcommands:")));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line) && !line.empty()) lines.push_back(line);
  return lines;
}

TEST(CliHelp, TopLevelHelpListsEveryCommandOnOneShortLine) {
  Program p;
  const auto lines = command_lines(p.app.help());
  ASSERT_GE(lines.size(), 8u);
  for (const auto& line : lines) {
    EXPECT_EQ(line.rfind("  ", 0), 0u) << line;
    EXPECT_NE(line[2], ' ') << "a wrapped description line: " << line;
    EXPECT_LE(line.size(), 100u) << line;
  }
}

TEST(CliHelp, CommandHelpEndsWithItsDetailsAndExitCodes) {
  Program p;
  const std::string run = p.app.get_subcommand("run")->help();
  EXPECT_NE(run.find("sharing one run id"), std::string::npos) << run;
  EXPECT_NE(run.find("75  another run holds the lock"), std::string::npos) << run;
  EXPECT_LT(run.find("--no-prune"), run.find("sharing one run id")) << "details follow options";

  // A command with its own exit code text shows that one, not the program's table too.
  const std::string validate = p.app.get_subcommand("validate")->help();
  EXPECT_NE(validate.find("Exit codes: 0 all valid"), std::string::npos) << validate;
  EXPECT_EQ(validate.find("75  another run holds the lock"), std::string::npos) << validate;
}

}  // namespace
