#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/validate/backup_check.hpp"

// How `pve-smokerbak validate` shows its results and records them beside the backups.
namespace agent::validate {

// The process exit code for a set of checks: 1 any invalid, 3 warnings only, 0 all valid.
int exit_code_for(const std::vector<BackupCheck>& checks);

// Table for people: TARGET TIER BACKUP VERDICT DOCUMENTS SIZE PROBLEMS, one row per backup,
// then one indented line per error/warning.
std::string render_table(const std::vector<BackupCheck>& checks);

// {"checked_at": RFC 3339, "exit_code": n, "valid_count": n, "invalid_count": n,
//  "warning_count": n,
//  "backups": [{target, tier, id, path, form, verdict ("valid"|"warning"|"invalid"), valid,
//  documents, size, started_at (RFC 3339 or null), collections {ns: n}, errors, warnings}]}
std::string render_json(const std::vector<BackupCheck>& checks, std::int64_t checked_at);

// Replaces validation-report.txt/.json in `dir` (the mongo backup_dir) with the results of a
// full re-check of `checks` (one target's mongo backups). The JSON is a superset of the mongo
// tier's per-run report: the newest archive-form backup's manifest fields with its re-checked
// verdict, "outcome": "revalidated", plus checked_at, all_valid and the "backups" array above.
// Returns an error text on failure.
std::optional<std::string> write_revalidation_report(const std::filesystem::path& dir,
                                                     const std::vector<BackupCheck>& checks,
                                                     std::int64_t checked_at);

}  // namespace agent::validate
