#include "agent/validate/validate_command.hpp"

#include <filesystem>

#include "agent/core/exit_codes.hpp"
#include "agent/core/run_lock.hpp"
#include "agent/tier/tier_record.hpp"
#include "agent/validate/backup_discovery.hpp"
#include "agent/validate/history_check.hpp"
#include "agent/validate/validate_output.hpp"
#include "agent/validate/vzdump_recheck.hpp"

namespace agent {
namespace {

constexpr int k_default_shrink_warn_percent = 50;

// Records the re-check's verdict where `status` reads it. Nothing to record without backups.
void record_verdict(const Config& config, const std::string& target, TierName tier,
                    const std::vector<validate::BackupCheck>& checks, Output& out) {
  if (checks.empty()) return;
  bool ok = true;
  for (const auto& c : checks) ok = ok && c.valid;
  TierRecord record = load_tier_record(config.state_dir, target, tier);
  record.last_validation_ok = ok;
  if (auto e = save_tier_record(config.state_dir, record)) {
    out.error(target + "/" + to_string(tier) + ": cannot record the verdict: " + *e);
  }
}

void print(const std::vector<validate::BackupCheck>& checks, const ValidateOptions& options,
           std::int64_t now, Output& out) {
  if (options.json) {
    out.json(validate::render_json(checks, now));
  } else {
    out.result(validate::render_table(checks));
  }
}

}  // namespace

int validate_paths(const ValidateOptions& opts, std::int64_t now, Output& out) {
  std::vector<validate::BackupCheck> checks;
  bool usage_error = false;
  for (const auto& p : opts.paths) {
    auto check = validate::check_path(p);
    if (!check) {
      out.error(check.error());
      usage_error = true;
      continue;
    }
    if (check->target.empty()) check->target = opts.target;
    checks.push_back(std::move(*check));
  }
  // History checks among the named backups of each tier (the order given does not matter).
  std::vector<validate::BackupCheck> mongo, vzdump;
  for (auto& c : checks) (c.tier == TierName::mongo ? mongo : vzdump).push_back(std::move(c));
  validate::sort_oldest_first(mongo);
  validate::sort_oldest_first(vzdump);
  validate::apply_history_checks(mongo, now, k_default_shrink_warn_percent);
  validate::apply_history_checks(vzdump, now, 0);
  checks = std::move(mongo);
  checks.insert(checks.end(), vzdump.begin(), vzdump.end());
  if (usage_error && checks.empty()) return exit_code::k_usage;
  print(checks, opts, now, out);
  return usage_error ? exit_code::k_usage : validate::exit_code_for(checks);
}

int validate_configured(const Config& config, const ValidateOptions& opts, std::int64_t now,
                        Output& out) {
  if (!opts.target.empty() && !config.find_target(opts.target)) {
    out.error("no target named '" + opts.target + "' in " + config.source_file.string());
    return exit_code::k_usage;
  }
  // A concurrent run could prune a backup while it is read, and both write the tier records.
  auto lock = RunLock::acquire(config.state_dir);
  if (!lock) {
    out.error(lock.error().message);
    return lock.error().kind == RunLockError::Kind::held ? exit_code::k_locked
                                                         : exit_code::k_failure;
  }
  std::vector<validate::BackupCheck> all;
  bool report_failed = false;
  for (const auto& target : config.targets) {
    if (!opts.target.empty() && target.name != opts.target) continue;
    if (target.mongo) {
      const auto& dir = target.mongo->backup_dir;
      std::vector<validate::BackupCheck> checks;
      std::error_code ec;
      if (!std::filesystem::is_directory(dir, ec)) {
        out.error(target.name + "/mongo: backup_dir " + dir.string() +
                  " does not exist (no backups yet?)");
      } else {
        checks = validate::check_backup_dir(dir, target.name,
                                            mongo::stored_limits(target.mongo->limits));
        validate::apply_history_checks(checks, now, target.mongo->shrink_warn_percent);
        if (auto e = validate::write_revalidation_report(dir, checks, now)) {
          out.error(target.name + "/mongo: " + *e);
          report_failed = true;
        }
      }
      record_verdict(config, target.name, TierName::mongo, checks, out);
      all.insert(all.end(), checks.begin(), checks.end());
    }
    if (target.vzdump) {
      auto checks = validate::check_vzdump_records(config.state_dir, target.name);
      validate::apply_history_checks(checks, now, 0);
      record_verdict(config, target.name, TierName::vzdump, checks, out);
      all.insert(all.end(), checks.begin(), checks.end());
    }
  }
  print(all, opts, now, out);
  const int code = validate::exit_code_for(all);
  return report_failed && code == exit_code::k_success ? exit_code::k_warnings : code;
}

}  // namespace agent
