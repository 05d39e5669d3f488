#include "agent/retention/simulate_command.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <vector>

#include <tl/expected.hpp>

#include "agent/core/exit_codes.hpp"
#include "agent/core/local_time.hpp"
#include "agent/retention/backup_list_json.hpp"
#include "agent/retention/generated_backups.hpp"
#include "agent/retention/simulate_report.hpp"
#include "policies/retention_engine.hpp"
#include "policies/retention_policy.hpp"

namespace agent {

namespace {

tl::expected<std::string, std::string> read_all(const std::string& path, std::istream& in) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return tl::unexpected("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream buf;
  buf << file.rdbuf();
  if (file.bad()) return tl::unexpected("cannot read " + path + ": " + std::strerror(errno));
  return buf.str();
}

tl::expected<std::vector<policies::BackupEntry>, std::string> load_entries(
    const SimulateOptions& options, const ZoneCalendar& zone, std::istream& in) {
  if (!options.input.empty() && !options.generate.empty()) {
    return tl::unexpected(std::string("give either --input or --generate, not both"));
  }
  if (!options.generate.empty()) return generate_backups(options.generate, zone);
  if (options.input.empty()) {
    return tl::unexpected(
        std::string("give --input FILE (or - for stdin) or --generate START,END,INTERVAL"));
  }
  auto text = read_all(options.input, in);
  if (!text) return tl::unexpected(text.error());
  return parse_backup_list_json(*text);
}

}  // namespace

int run_retention_simulate(const SimulateOptions& options, std::istream& in, Output& out) {
  const auto fail = [&](const std::string& message) {
    out.error("retention simulate: " + message);
    return exit_code::k_usage;
  };
  const auto policy = policies::parse_prune_string(options.policy);
  if (!policy) return fail("--policy \"" + options.policy + "\": " + policy.error().message);
  const auto zone = ZoneCalendar::open(options.timezone);
  if (!zone) return fail("--timezone: " + zone.error());
  const auto entries = load_entries(options, *zone, in);
  if (!entries) return fail(entries.error());

  const auto decisions = policies::mark_backups(*entries, *policy, *zone);
  if (options.json) {
    out.json(decisions_to_json(*entries, decisions));
    return exit_code::k_success;
  }
  out.result("Policy " + policies::to_prune_string(*policy) + ", time zone " + zone->name() +
             "\n\n" + render_decision_table(*entries, decisions, *zone) + "\n" +
             render_month_calendar(*entries, decisions, *zone));
  return exit_code::k_success;
}

}  // namespace agent
