// `pve-smokerbak retention simulate`: flags, then the body in agent/retention/.
#include <iostream>
#include <memory>
#include <string>

#include "agent/cli/command_context.hpp"
#include "agent/retention/generated_backups.hpp"
#include "agent/retention/simulate_command.hpp"

namespace agent {

namespace {

constexpr const char* k_simulate_footer =
    "Input (--input): a JSON array of {\"id\": string, \"ctime\": epoch seconds, \"protected\":\n"
    "bool (optional)}. Output (--json): a JSON array in input order of {\"id\", \"ctime\",\n"
    "\"mark\": keep|remove|protected, \"reason\", \"rules\"}; otherwise a table newest first and\n"
    "a per-month calendar of what stays.\n"
    "Semantics: exactly Proxmox VE prune-backups. Rules apply in the order last, hourly, daily,\n"
    "weekly (ISO week), monthly, yearly; each counts periods that hold a backup, from the newest\n"
    "backup back; periods already covered by an earlier rule are skipped; protected backups are\n"
    "never counted or removed; keep-all=1 or no count above 0 keeps everything. Periods use\n"
    "local time in --timezone. The current time is never used.\n"
    "Examples:\n"
    "  pve-smokerbak retention simulate --policy keep-daily=7,keep-weekly=4,keep-monthly=12 \\\n"
    "      --timezone Europe/Berlin --generate 2025-01-01T01:00,2025-12-31T01:00,1d\n"
    "  pvesh get /nodes/pve/storage/local/content --output-format json | jq '[.[] |\n"
    "      {id: .volid, ctime, protected: (.protected // 0)}]' |\n"
    "      pve-smokerbak retention simulate --policy keep-last=3 --input -\n"
    "Exit codes:\n"
    "  0   success\n"
    "  2   usage error: bad policy, time zone, input or --generate\n";

}  // namespace

void register_retention_commands(CLI::App& app, CommandContext& ctx) {
  auto* retention =
      app.add_subcommand("retention", "Retention policy tools (Proxmox prune-backups semantics)");
  retention->require_subcommand(1);

  auto options = std::make_shared<SimulateOptions>();
  auto* simulate = retention->add_subcommand(
      "simulate", "Show which backups a prune-backups policy keeps, without touching any");
  simulate
      ->add_option("--policy", options->policy,
                   "Proxmox prune-backups string, e.g. keep-daily=7,keep-weekly=4,keep-monthly=12")
      ->required();
  simulate
      ->add_option("--timezone", options->timezone,
                   "Zone the periods are computed in: local or an IANA name (Europe/Berlin)")
      ->capture_default_str();
  auto* input = simulate->add_option("--input", options->input,
                                     "JSON list of backups to mark: a file, or - for stdin");
  auto* generate = simulate->add_option("--generate", options->generate, k_generate_help);
  input->excludes(generate);
  generate->excludes(input);
  simulate->add_flag("--json", options->json, "Print the marks as JSON (input order)");
  simulate->footer(k_simulate_footer);
  simulate->callback(
      [options, &ctx] { ctx.exit_code = run_retention_simulate(*options, std::cin, ctx.output); });
}

}  // namespace agent
