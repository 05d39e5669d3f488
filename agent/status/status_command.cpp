#include "agent/status/status_command.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "agent/core/exit_codes.hpp"
#include "agent/status/status_report.hpp"

namespace agent {

namespace {

// The --check line with the sections' health and first reasons folded in.
std::string check_line(StatusReport report, const std::vector<StatusSection>& sections) {
  const Health own = report.health;
  std::string extra;
  for (const auto& s : sections) {
    report.health = worst(report.health, s.health);
    if (s.health == Health::ok) continue;
    std::string text = s.reason.substr(0, s.reason.find_first_of("\r\n"));
    std::replace(text.begin(), text.end(), '|', '/');  // "|" starts the perf data
    extra += (extra.empty() ? "" : "; ") + text;
  }
  std::string line = render_status_check(report);
  if (extra.empty()) return line;
  const auto bar = line.find(" |");
  std::string head = line.substr(0, bar);
  const std::string tail = bar == std::string::npos ? std::string() : line.substr(bar);
  if (own == Health::ok) {
    head = head.substr(0, head.find(" - ") + 3) + extra;
  } else {
    head += "; " + extra;
  }
  return head + tail;
}

}  // namespace

int show_status(const Config& config, TierSet& tiers, const StatusOptions& options,
                std::int64_t now, const TimerFacts& timer, Output& out,
                const std::vector<StatusSection>& sections) {
  StatusFacts facts;
  facts.timer_interval_s = timer.interval_s;
  facts.next_run = timer.next_run;
  for (const auto& tier : tiers.all()) {
    bool used = false;
    for (const auto& t : config.targets) used = used || tier->configured(t);
    if (!used) continue;
    if (auto error = tier->probe()) facts.unreachable.emplace(tier->name(), std::move(*error));
  }
  const StatusReport report = build_status(config, tiers, now, facts);
  if (options.check) {
    Health health = report.health;
    for (const auto& s : sections) health = worst(health, s.health);
    out.result(check_line(report, sections) + "\n");
    return nagios_code(health);
  }
  if (options.json) {
    auto doc = nlohmann::ordered_json::parse(render_status_json(report));
    Health health = report.health;
    for (const auto& s : sections) {
      doc[s.key] = nlohmann::ordered_json::parse(s.json);
      health = worst(health, s.health);
      doc["state"] = to_string(health);
    }
    out.json(doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    return exit_code::k_success;
  }
  std::string table = render_status_table(report);
  for (const auto& s : sections) table += s.table;
  out.result(table);
  return exit_code::k_success;
}

}  // namespace agent
