#include <chrono>
#include <iostream>
#include <memory>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/core/clock.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/core/run_lock.hpp"
#include "agent/run/tier_record.hpp"
#include "agent/validate/backup_discovery.hpp"
#include "agent/validate/history_check.hpp"
#include "agent/validate/validate_output.hpp"
#include "agent/validate/vzdump_recheck.hpp"

namespace agent {
namespace {

struct ValidateOptions {
  std::string target;
  bool json = false;
  std::vector<std::string> paths;
};

constexpr int k_default_shrink_warn_percent = 50;

// Records the re-check's verdict where `status` reads it. Nothing to record without backups.
void record_verdict(const Config& config, const std::string& target, const std::string& tier,
                    const std::vector<validate::BackupCheck>& checks) {
  if (checks.empty()) return;
  bool ok = true;
  for (const auto& c : checks) ok = ok && c.valid;
  TierRecord record = load_tier_record(config.state_dir, target, tier);
  record.last_validation_ok = ok;
  if (auto e = save_tier_record(config.state_dir, record)) {
    std::cerr << "pve-smokerbak: " << target << "/" << tier << ": cannot record the verdict: " << *e
              << "\n";
  }
}

// Backups named on the command line; no configuration needed.
int validate_paths(const ValidateOptions& opts, std::int64_t now,
                   std::vector<validate::BackupCheck>& out) {
  bool usage_error = false;
  for (const auto& p : opts.paths) {
    auto check = validate::check_path(p);
    if (!check) {
      std::cerr << "pve-smokerbak: " << check.error() << "\n";
      usage_error = true;
      continue;
    }
    if (check->target.empty()) check->target = opts.target;
    out.push_back(std::move(*check));
  }
  // History checks among the named backups of each tier (the order given does not matter).
  std::vector<validate::BackupCheck> mongo, vzdump;
  for (auto& c : out) (c.tier == "mongo" ? mongo : vzdump).push_back(std::move(c));
  validate::sort_oldest_first(mongo);
  validate::sort_oldest_first(vzdump);
  validate::apply_history_checks(mongo, now, k_default_shrink_warn_percent);
  validate::apply_history_checks(vzdump, now, 0);
  out = std::move(mongo);
  out.insert(out.end(), vzdump.begin(), vzdump.end());
  return usage_error ? exit_code::k_usage : validate::exit_code_for(out);
}

// Every kept backup of every configured target (or --target), reports and records updated.
int validate_configured(CommandContext& ctx, const ValidateOptions& opts, std::int64_t now,
                        std::vector<validate::BackupCheck>& out) {
  auto config = load_config_or_report(ctx);
  if (!config) return ctx.exit_code;
  if (!opts.target.empty() && !config->find_target(opts.target)) {
    std::cerr << "pve-smokerbak: no target named '" << opts.target << "' in "
              << config->source_file.string() << "\n";
    return exit_code::k_usage;
  }
  // A concurrent run could prune a backup while it is read, and both write the tier records.
  auto lock = RunLock::acquire(config->state_dir);
  if (!lock) {
    std::cerr << "pve-smokerbak: " << lock.error().message << "\n";
    return lock.error().kind == RunLockError::Kind::held ? exit_code::k_locked
                                                         : exit_code::k_failure;
  }
  bool report_failed = false;
  for (const auto& target : config->targets) {
    if (!opts.target.empty() && target.name != opts.target) continue;
    if (target.mongo) {
      const auto& dir = target.mongo->backup_dir;
      std::vector<validate::BackupCheck> checks;
      std::error_code ec;
      if (!std::filesystem::is_directory(dir, ec)) {
        std::cerr << "pve-smokerbak: " << target.name << "/mongo: backup_dir " << dir.string()
                  << " does not exist (no backups yet?)\n";
      } else {
        checks = validate::check_backup_dir(dir, target.name);
        validate::apply_history_checks(checks, now, target.mongo->shrink_warn_percent);
        if (auto e = validate::write_revalidation_report(dir, checks, now)) {
          std::cerr << "pve-smokerbak: " << target.name << "/mongo: " << *e << "\n";
          report_failed = true;
        }
      }
      record_verdict(*config, target.name, "mongo", checks);
      out.insert(out.end(), checks.begin(), checks.end());
    }
    if (target.vzdump) {
      auto checks = validate::check_vzdump_records(config->state_dir, target.name);
      validate::apply_history_checks(checks, now, 0);
      record_verdict(*config, target.name, "vzdump", checks);
      out.insert(out.end(), checks.begin(), checks.end());
    }
  }
  const int code = validate::exit_code_for(out);
  return report_failed && code == exit_code::k_success ? exit_code::k_warnings : code;
}

void execute_validate(CommandContext& ctx, const ValidateOptions& opts) {
  SystemClock clock;
  if (clock.override_error()) {
    std::cerr << "pve-smokerbak: " << *clock.override_error() << "\n";
    ctx.exit_code = exit_code::k_usage;
    return;
  }
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  std::vector<validate::BackupCheck> checks;
  const int code = opts.paths.empty() ? validate_configured(ctx, opts, now, checks)
                                      : validate_paths(opts, now, checks);
  if (code == exit_code::k_usage && checks.empty()) {
    ctx.exit_code = code;
    return;
  }
  std::cout << (opts.json ? validate::render_json(checks, now) : validate::render_table(checks));
  ctx.exit_code = code;
}

}  // namespace

void register_validate_commands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ValidateOptions>();
  auto* cmd = add_command(
      app, "validate", "Re-check kept backups of both tiers by reading them again from disk",
      "The weekly pve-smokerbak-validate.timer runs this. Without BACKUP arguments: every backup "
      "of every\n"
      "configured target (or --target) - mongo archive backups (SHA-256 against manifest.json,\n"
      "full archive validation, document counts against the manifest), directory-form mongodump\n"
      "dumps found in backup_dir, and the vzdump archives the agent recorded under state_dir\n"
      "(decompression, tar walk, SHA-256 against the record). Then history checks, oldest to\n"
      "newest: a backup time in the future is an error; size or a collection's document count\n"
      "shrinking by more than shrink_warn_percent versus the previous valid backup is a warning.\n"
      "Rewrites validation-report.txt/.json in each mongo backup_dir and records the verdict for\n"
      "`status`. Takes the run lock.\n"
      "With BACKUP arguments (backup directories, directory dumps, manifest.json, mongodump\n"
      "archive or vzdump archive files): checks only those, needs no config file, changes no\n"
      "files; shrink warnings use the default 50%.\n"
      "Exit codes: 0 all valid, 1 a backup is invalid, 2 usage or configuration error,\n"
      "3 valid with warnings, 75 another run holds the lock.",
      ExitCodeHelp::in_details);
  cmd->add_option("--target", opts->target,
                  "Only this configured target (with BACKUP paths: a label for the output)");
  cmd->add_flag("--json", opts->json,
                "JSON object {checked_at, exit_code, valid_count, invalid_count, warning_count,\n"
                "backups: [{target, tier, id, path, form, verdict, valid, documents, size,\n"
                "started_at, collections, errors, warnings}]}");
  cmd->add_option("BACKUP", opts->paths, "Backup directories or archive files to check");
  cmd->callback([&ctx, opts] { execute_validate(ctx, *opts); });
}

}  // namespace agent
