// pve-smokerbak: parse the command line, run one command, return its exit code.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "agent/cli/command_context.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/core/log.hpp"
#include "agent/core/process_hardening.hpp"

int main(int argc, char** argv) {
  // Before any secret is read: no core dump, no ptrace by others (agent/core/process_hardening).
  if (const auto problem = agent::harden_process()) {
    std::cerr << "pve-smokerbak: warning: " << *problem << "\n";
  }
  agent::StreamOutput output(std::cout, std::cerr);
  agent::CommandContext ctx(output);
  CLI::App app{
      "pve-smokerbak: keeps one Proxmox VE guest recoverable with vzdump archives and\n"
      "validated mongodump backups under one retention policy."};
  app.name("pve-smokerbak");
  app.footer(agent::exit_code::k_help);
  app.set_version_flag("--version", std::string("pve-smokerbak ") + SMOKERBAK_VERSION);
  app.add_option("-c,--config", ctx.global.config_path,
                 "Configuration file (env PVE_SMOKERBAK_CONFIG)")
      ->envname("PVE_SMOKERBAK_CONFIG")
      ->capture_default_str();
  app.add_option("--log-level", ctx.global.log_level, "Log verbosity")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.require_subcommand(1);
  // CLI11 counts a value taken from the environment as given, so decide the origin from argv.
  bool config_on_command_line = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-c" || arg == "--config" || arg.rfind("--config=", 0) == 0 ||
        (arg.size() > 2 && arg.rfind("-c", 0) == 0)) {
      config_on_command_line = true;
    }
  }
  ctx.global.config_path_from_env =
      !config_on_command_line && std::getenv("PVE_SMOKERBAK_CONFIG") != nullptr;
  app.parse_complete_callback([&] { agent::setup_logging(ctx.global.log_level); });
  agent::register_all_commands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? agent::exit_code::k_success : agent::exit_code::k_usage;
  } catch (const std::exception& e) {
    // Last resort: commands return errors as values; reaching this is a bug.
    output.error(std::string("internal error: ") + e.what());
    return agent::exit_code::k_failure;
  }
  return ctx.exit_code;
}
