#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/tier/tier_error.hpp"
#include "agent/tier/tier_name.hpp"

// What a restore drill found and how long recovery took, kept per tier of each target as
// state_dir/drills/<target>/<tier>.json (the last k_drill_history_max drills, oldest first,
// written atomically). `drill` appends, `status` and the metrics read it. The schema is the one
// `status --json` shows under "drill"; keep field names stable (new fields only add).
namespace agent {

// One timed step of a drill: "fetch", "restore", "boot", "checks", "cleanup".
struct DrillStep {
  std::string name;
  double seconds = 0;
};

struct DrillRecord {
  std::string id;  // UTC start stamp, "20260101T010000Z"; names the scratch copy
  std::string target;
  TierName tier = TierName::vzdump;
  std::string run_id;            // the `run` that performed it; "" for `drill`
  std::int64_t started_at = 0;   // epoch seconds
  std::string source = "local";  // where the backup came from: local | offsite
  std::string backup_id;         // mongo backup directory, or vzdump volid
  std::int64_t backup_at = 0;    // when that backup was made (epoch seconds; 0 unknown)
  std::vector<DrillStep> steps;  // in the order they ran
  // Recovery time: from the start to a verified copy (every step before cleanup).
  double rto_s = 0;
  std::uint64_t bytes = 0;  // bytes restored (archive size)
  bool ok = false;
  std::optional<TierError::Kind> error_kind;
  std::string error;                  // empty when ok
  std::vector<std::string> verified;  // what the checks confirmed, one sentence each
  std::vector<std::string> warnings;

  // The step's seconds, or nullopt when it did not run.
  std::optional<double> step_seconds(const std::string& name) const;
};

inline constexpr std::size_t k_drill_history_max = 50;

std::filesystem::path drill_history_path(const std::filesystem::path& state_dir,
                                         const std::string& target, TierName tier);

// Oldest first. Missing file: empty. A damaged file is logged and read as empty (the next drill
// starts a new history).
std::vector<DrillRecord> load_drill_history(const std::filesystem::path& state_dir,
                                            const std::string& target, TierName tier);

// Appends `record` to its history (dropping the oldest beyond k_drill_history_max) and writes
// the file atomically (fsync). Error text on failure.
std::optional<std::string> append_drill_record(const std::filesystem::path& state_dir,
                                               const DrillRecord& record);

// The newest drill of the history, if any.
std::optional<DrillRecord> last_drill(const std::vector<DrillRecord>& history);
// The newest successful one.
std::optional<DrillRecord> last_successful_drill(const std::vector<DrillRecord>& history);

// When the next drill of a tier is due, given its history and drill.every: `every_s` after the
// last successful one; after a failed one at the next run (20 h later, so a nightly run retries
// it); at once when there is none. Overdue (a warning in `status`) one day after due.
struct DrillSchedule {
  std::int64_t due_at = 0;
  std::int64_t overdue_at = 0;
};
DrillSchedule drill_schedule(const std::vector<DrillRecord>& history, std::int64_t every_s);
inline constexpr std::int64_t k_drill_retry_s = 20 * 3600;
inline constexpr std::int64_t k_drill_overdue_grace_s = 86400;

// One drill as JSON text (for `drill --json` and status).
std::string to_json_text(const DrillRecord& record);

// A drill in progress, written before the drill changes anything anywhere and removed when it
// has cleaned up: a file left behind means the drill was killed, and the next drill or run
// cleans up its scratch copy (state_dir/drills/<target>/<tier>.active).
struct ActiveDrill {
  std::string id;
  long pid = 0;
  std::int64_t started_at = 0;
  std::string scratch;  // what it creates: "vmid 9106 on pve1", "databases smokerbak_drill_..."
};

std::optional<std::string> write_active_drill(const std::filesystem::path& state_dir,
                                              const std::string& target, TierName tier,
                                              const ActiveDrill& active);
std::optional<ActiveDrill> read_active_drill(const std::filesystem::path& state_dir,
                                             const std::string& target, TierName tier);
void clear_active_drill(const std::filesystem::path& state_dir, const std::string& target,
                        TierName tier);

}  // namespace agent
