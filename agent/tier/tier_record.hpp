#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/tier/tier_name.hpp"
#include "agent/tier/tier_outcome.hpp"

// What `status` and the metrics file know about one tier of one target, persisted after
// every run as state_dir/tiers/<target>/<tier>.json (written atomically). The schema is the
// one `status --json` exposes per tier; keep field names stable (new fields only add).
namespace agent {

// One point of a tier's size history, appended after each run that pruned (so the kept total
// is known): what `status` projects storage growth from.
struct SizeSample {
  std::int64_t at = 0;             // run start, epoch seconds
  std::uint64_t kept_bytes = 0;    // all kept backups of the tier after the run
  std::uint64_t backup_bytes = 0;  // the run's new backup (0 when it made none)
};
inline constexpr std::size_t k_size_history_max = 90;

struct TierRecord {
  std::string target;
  TierName tier = TierName::vzdump;
  // The last run of this tier.
  std::string last_run_id;
  std::int64_t last_run_at = 0;  // epoch seconds, run start
  double last_run_duration_s = 0;
  std::optional<TierState> last_run_state;  // nullopt: no run recorded
  std::string last_run_summary;
  std::string last_error;  // empty unless the last run failed
  // Why it failed ("last_error_kind" in the file; absent in records of earlier versions).
  std::optional<TierError::Kind> last_error_kind;
  std::vector<std::string> warnings;  // of the last run
  // The last successful backup (kept across failed runs).
  std::string last_success_run_id;
  std::int64_t last_success_at = 0;  // epoch seconds; 0 = never
  std::string last_success_backup_id;
  std::uint64_t last_success_bytes = 0;
  std::optional<bool> last_validation_ok;
  // The finer state of the last backup made ("last_validation" in the file), when its tier
  // gave one (TierOutcome::validation); nullopt: last_validation_ok alone tells.
  std::optional<Validation> last_validation;
  // Retention, from the last prune (or dry-run plan).
  std::optional<std::uint64_t> count;
  std::optional<std::uint64_t> size_bytes;
  std::map<policies::Rule, std::uint64_t> kept_per_rule;  // in the file: {"daily": 7, ...}
  // Oldest first, at most k_size_history_max samples.
  std::vector<SizeSample> size_history;
};

// Kept backups per rule by the rule's word ("daily" -> 7), as files and `status --json` show them.
std::map<std::string, std::uint64_t> kept_per_rule_words(
    const std::map<policies::Rule, std::uint64_t>& kept);
// The state `status` and the metrics show: last_validation, else ok/failed from
// last_validation_ok, else unknown.
Validation validation_of(const TierRecord& record);

// Takes what a prune kept (count, bytes, per rule) into the record.
void apply_retention(TierRecord& record, const TierOutcome& prune);

// Folds one run's outcomes of a tier into its record.
void apply_outcome(TierRecord& record, const std::string& run_id, std::int64_t run_start,
                   double duration_s, const TierOutcome& backup,
                   const std::optional<TierOutcome>& prune);

std::filesystem::path tier_record_path(const std::filesystem::path& state_dir,
                                       const std::string& target, TierName tier);
// Missing or unreadable file: a fresh record with only target and tier set (a damaged one is
// logged and replaced by the next run).
TierRecord load_tier_record(const std::filesystem::path& state_dir, const std::string& target,
                            TierName tier);
// Atomic (temp file, fsync, rename). Returns an error text on failure.
std::optional<std::string> save_tier_record(const std::filesystem::path& state_dir,
                                            const TierRecord& record);

std::string to_json_text(const TierRecord& record);

}  // namespace agent
