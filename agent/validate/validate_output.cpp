#include "agent/validate/validate_output.hpp"

#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/core/atomic_file.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/core/human_format.hpp"
#include "agent/mongo/manifest.hpp"

namespace agent::validate {

namespace {

enum class Verdict { valid, warning, invalid };

Verdict verdict_of(const BackupCheck& c) {
  if (!c.valid) return Verdict::invalid;
  return c.warnings.empty() ? Verdict::valid : Verdict::warning;
}

// "valid", "warning", "invalid" in JSON; the table shouts INVALID.
const char* to_string(Verdict v, bool shout = false) {
  switch (v) {
    case Verdict::valid:
      return "valid";
    case Verdict::warning:
      return "warning";
    case Verdict::invalid:
      return shout ? "INVALID" : "invalid";
  }
  return "invalid";
}

nlohmann::json check_json(const BackupCheck& c) {
  nlohmann::json cols = nlohmann::json::object();
  for (const auto& [ns, n] : c.collections) cols[ns] = n;
  return {{"target", c.target},
          {"tier", to_string(c.tier)},
          {"id", c.id},
          {"path", c.path.string()},
          {"form", to_string(c.form)},
          {"verdict", to_string(verdict_of(c))},
          {"valid", c.valid},
          {"documents", c.documents},
          {"size", c.size},
          {"started_at",
           c.started_at ? nlohmann::json(rfc3339_utc(*c.started_at)) : nlohmann::json(nullptr)},
          {"collections", cols},
          {"errors", c.errors},
          {"warnings", c.warnings}};
}

nlohmann::json summary_json(const std::vector<BackupCheck>& checks, std::int64_t checked_at) {
  std::size_t valid = 0, invalid = 0, warned = 0;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : checks) {
    (c.valid ? valid : invalid) += 1;
    if (c.valid && !c.warnings.empty()) ++warned;
    rows.push_back(check_json(c));
  }
  return {{"checked_at", rfc3339_utc(checked_at)},
          {"exit_code", exit_code_for(checks)},
          {"valid_count", valid},
          {"invalid_count", invalid},
          {"warning_count", warned},
          {"backups", rows}};
}

}  // namespace

int exit_code_for(const std::vector<BackupCheck>& checks) {
  bool warned = false;
  for (const auto& c : checks) {
    if (!c.valid) return exit_code::k_failure;
    warned = warned || !c.warnings.empty();
  }
  return warned ? exit_code::k_warnings : exit_code::k_success;
}

std::string render_table(const std::vector<BackupCheck>& checks) {
  std::ostringstream o;
  o << std::left << std::setw(14) << "TARGET" << std::setw(8) << "TIER" << std::setw(40) << "BACKUP"
    << std::setw(9) << "VERDICT" << std::setw(11) << "DOCUMENTS" << std::setw(14) << "SIZE"
    << "PROBLEMS\n";
  for (const auto& c : checks) {
    const char* verdict = to_string(verdict_of(c), true);
    o << std::left << std::setw(14) << (c.target.empty() ? "-" : c.target) << std::setw(8)
      << to_string(c.tier) << std::setw(40) << c.id << std::setw(9) << verdict << std::setw(11)
      << (c.tier == TierName::mongo ? std::to_string(c.documents) : std::string("-"))
      << std::setw(14) << c.size << c.errors.size() << " errors, " << c.warnings.size()
      << " warnings\n";
    for (const auto& e : c.errors) o << "    error:   " << e << "\n";
    for (const auto& w : c.warnings) o << "    warning: " << w << "\n";
  }
  if (checks.empty()) o << "(no backups found)\n";
  return o.str();
}

std::string render_json(const std::vector<BackupCheck>& checks, std::int64_t checked_at) {
  return summary_json(checks, checked_at)
             .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

std::optional<std::string> write_revalidation_report(const std::filesystem::path& dir,
                                                     const std::vector<BackupCheck>& checks,
                                                     std::int64_t checked_at) {
  nlohmann::json j = nlohmann::json::object();
  // Start from the newest archive-form backup's manifest so readers of the per-run report
  // find the same fields, with its verdict as re-checked now.
  for (auto it = checks.rbegin(); it != checks.rend(); ++it) {
    if (it->form != BackupForm::archive) continue;
    auto m = mongo::read_manifest(it->path / "manifest.json");
    if (!m) break;
    m->valid = it->valid;
    m->errors = it->errors;
    m->warnings = it->warnings;
    j = nlohmann::json::parse(mongo::manifest_to_json(*m));
    break;
  }
  bool all_valid = true;
  for (const auto& c : checks) all_valid = all_valid && c.valid;
  j["outcome"] = "revalidated";
  j["all_valid"] = all_valid;
  j.update(summary_json(checks, checked_at));

  std::ostringstream text;
  text << "pve-smokerbak mongo validation report (full re-check of every kept backup)\n"
       << "checked:  " << rfc3339_utc(checked_at) << "\n"
       << "verdict:  " << (all_valid ? "ALL VALID" : "INVALID BACKUPS FOUND") << "\n\n"
       << render_table(checks);
  if (auto e = write_file_atomically(dir / "validation-report.txt", text.str())) return e;
  return write_file_atomically(
      dir / "validation-report.json",
      j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace agent::validate
