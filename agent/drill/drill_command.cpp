#include "agent/drill/drill_command.hpp"

#include <nlohmann/json.hpp>

#include "agent/core/exit_codes.hpp"
#include "agent/core/run_lock.hpp"

namespace agent::drill {
namespace {

struct Job {
  const TargetConfig* target;
  TierName tier;
};

// The drills asked for, or a usage error.
tl::expected<std::vector<Job>, std::string> select(const Config& config,
                                                   const DrillCommandOptions& o) {
  std::vector<Job> jobs;
  const bool offsite = o.from.name == "offsite";
  if (o.from.name != "local" && !offsite) {
    return tl::unexpected("--from takes local or offsite, not '" + o.from.name + "'");
  }
  if (!offsite && (!o.from.destination.empty() || !o.from.identity.empty())) {
    return tl::unexpected(std::string("--destination and --identity go with --from offsite"));
  }
  if (offsite && o.from.identity.empty()) {
    return tl::unexpected(std::string(
        "--from offsite needs --identity FILE: the age identity that decrypts the off-site "
        "copies (the one whose public key is in the destination's recipients)"));
  }
  if (offsite && o.tier == "vzdump") {
    return tl::unexpected(std::string(vzdump_offsite_refusal()));
  }
  if (!o.target.empty() && !config.find_target(o.target)) {
    return tl::unexpected("no target named \"" + o.target + "\" in the configuration");
  }
  for (const auto& t : config.targets) {
    if (!o.target.empty() && t.name != o.target) continue;
    for (TierName tier : {TierName::vzdump, TierName::mongo}) {
      if (o.tier != "all" && o.tier != to_string(tier)) continue;
      if (offsite && tier == TierName::vzdump) continue;  // vzdump_offsite_refusal()
      const bool tier_on = tier == TierName::vzdump ? t.vzdump.has_value() : t.mongo.has_value();
      const bool drill_on = t.drill && (tier == TierName::vzdump ? t.drill->vzdump.has_value()
                                                                 : t.drill->mongo.has_value());
      if (tier_on && drill_on) jobs.push_back({&t, tier});
    }
  }
  if (jobs.empty()) {
    return tl::unexpected(std::string("no restore drill is configured for ") +
                          (o.target.empty() ? "any target" : "target " + o.target) +
                          (o.tier == "all" ? "" : " and tier " + o.tier) +
                          ": add a drill section with vzdump and/or mongo to the target "
                          "(docs/configuration.md \"drill\")");
  }
  if (!o.backup.empty() && jobs.size() != 1) {
    return tl::unexpected(std::string(
        "--backup names one backup: choose one target and one tier (--target, --tier)"));
  }
  return jobs;
}

std::string table(const std::vector<DrillRecord>& records) {
  std::string out;
  for (const auto& r : records) {
    out += r.target + "/" + to_string(r.tier) + ": " + (r.ok ? "OK" : "FAILED") + ", RTO " +
           seconds_text(r.rto_s) + " (" + (r.backup_id.empty() ? "no backup" : r.backup_id) + ")\n";
    for (const auto& s : r.steps) out += "  " + s.name + ": " + seconds_text(s.seconds) + "\n";
    for (const auto& v : r.verified) out += "  verified: " + v + "\n";
    for (const auto& w : r.warnings) out += "  warning: " + w + "\n";
    if (!r.ok) out += "  error (" + std::string(to_string(*r.error_kind)) + "): " + r.error + "\n";
  }
  return out;
}

}  // namespace

int drill_command(const Config& config, const DrillCommandOptions& options, const DrillDeps& deps,
                  std::int64_t now, Output& out) {
  auto jobs = select(config, options);
  if (!jobs) {
    out.error(jobs.error());
    return exit_code::k_usage;
  }
  std::optional<RunLock> lock;
  if (!options.dry_run) {
    auto l = RunLock::acquire(config.state_dir);
    if (!l) {
      out.error(l.error().message);
      return l.error().kind == RunLockError::Kind::held ? exit_code::k_locked
                                                        : exit_code::k_failure;
    }
    lock.emplace(std::move(*l));
  }
  DrillContext ctx{.config = config,
                   .drill_id = drill_stamp(now),
                   .started_at = now,
                   .run_id = "",
                   .dry_run = options.dry_run,
                   .steady = [] { return std::chrono::steady_clock::now(); },
                   .progress = [&out](const std::string& line) { out.message(line + "\n"); }};

  DrillRunner runner(deps);
  std::vector<DrillRecord> records;
  std::vector<std::string> plan;
  bool failed = false;
  for (const auto& job : *jobs) {
    DrillOutcome outcome = runner.run(ctx, *job.target, job.tier, options.backup, options.from);
    if (options.dry_run && outcome.record.error.empty()) {
      for (auto& p : outcome.plan)
        plan.push_back(job.target->name + "/" + to_string(job.tier) + ": " + p);
      continue;
    }
    if (!options.dry_run) {
      if (auto err = append_drill_record(config.state_dir, outcome.record)) {
        outcome.record.warnings.push_back("the drill record was not kept: " + *err);
      }
    }
    failed = failed || !outcome.record.ok;
    records.push_back(std::move(outcome.record));
  }

  if (options.json) {
    auto arr = nlohmann::json::array();
    for (const auto& r : records) arr.push_back(nlohmann::json::parse(to_json_text(r)));
    nlohmann::json j = {{"dry_run", options.dry_run}, {"drills", arr}, {"plan", plan}};
    out.result(j.dump(2) + "\n");
  } else {
    std::string text;
    for (const auto& p : plan) text += p + "\n";
    text += table(records);
    out.result(text);
  }
  return failed ? exit_code::k_failure : exit_code::k_success;
}

}  // namespace agent::drill
