// `pve-smokerbak config check`: flags, then the body in agent/config/.
#include <memory>

#include "agent/cli/command_context.hpp"
#include "agent/cli/coverage_deps.hpp"
#include "agent/config/config_check.hpp"
#include "agent/coverage/coverage_command.hpp"
#include "agent/events/events_check.hpp"
#include "agent/offsite/offsite_commands.hpp"
#include "agent/vzdump/vzdump_config_check.hpp"

namespace agent {

void register_config_commands(CLI::App& app, CommandContext& ctx) {
  auto* config = app.add_subcommand("config", "Inspect the configuration file");
  config->require_subcommand(1);

  auto json = std::make_shared<bool>(false);
  auto api = std::make_shared<bool>(false);
  auto send_events = std::make_shared<bool>(false);
  auto coverage = std::make_shared<bool>(false);
  auto* check = config->add_subcommand(
      "check",
      "Validate the configuration file and the secret files it names (ownership, mode, "
      "readability; values are never printed), then print the effective configuration with "
      "the origin of every value (default, file, environment). With off-site destinations it "
      "also checks that each bucket answers to its credentials and, when lock is on, has "
      "versioning and Object Lock enabled.");
  check->add_flag("--json", *json, "Print the result as JSON on stdout");
  check->add_flag("--api", *api,
                  "Also ask the Proxmox API (read-only) about each vzdump target: the storage's "
                  "kind on the CT's node and the retention vzdump applies there "
                  "(vzdump/defaults)");
  check->add_flag("--events", *send_events,
                  "Also send test events: the start and success pings (a body says it is a "
                  "test) and a test webhook; the fail ping is not sent. A failed one is an "
                  "error (exit 2)");
  check->add_flag("--coverage", *coverage,
                  "Also check what the backups cover (read-only): which mount points of each "
                  "vzdump target's container vzdump includes (rootfs; mpN with backup=1; never "
                  "backup=0, bind or device mounts), where MongoDB keeps its data (over the mongo "
                  "tier's SSH) and whether it lies on one of them, and which databases the mongo "
                  "tier does not dump (listDatabases). Data neither tier covers is a warning with "
                  "its path and the fix; exit 3 when there is any, or when something could not be "
                  "determined");
  check->footer(
      "Exit codes: 0 valid (warnings, e.g. a CA file that does not exist yet, are printed on "
      "stderr), 2 invalid: every problem is printed on stderr as "
      "FILE:LINE:COLUMN: KEY: MESSAGE; with --coverage, 3 when data is in neither tier or "
      "could not be determined.\n");
  check->callback([&ctx, json, api, send_events, coverage] {
    static const SystemClock clock;
    std::vector<ConfigCheck> checks = {vzdump_config_check()};
    checks.push_back(
        events::events_config_check(*send_events, ctx.output, ctx.wiring.events_transport));
    if (*api) {
      checks.push_back(vzdump_api_check([](const Config& loaded) {
        return make_api_client(loaded, clock, std::chrono::seconds(10));
      }));
    }
    ConfigCheckRequest request;
    request.config_path = ctx.global.config_path;
    request.config_path_from_env = ctx.global.config_path_from_env;
    request.json = *json;
    // The off-site buckets: exist, answer to the credentials, Object Lock + versioning on.
    request.remote_check = [&ctx](const Config& loaded) {
      return offsite::check_destinations(loaded, ctx.wiring.offsite.clients);
    };
    if (*coverage) request.section = coverage::config_section(coverage_deps(ctx.wiring));
    ctx.exit_code = run_config_check(request, ctx.output, checks);
  });
}

}  // namespace agent
