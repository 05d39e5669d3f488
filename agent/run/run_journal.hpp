#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "agent/core/clock.hpp"
#include "agent/tier/run_context.hpp"
#include "agent/tier/tier_name.hpp"

// The step journal that makes runs crash-safe: before a step that a crash could leave
// half-done, the run appends (and fsyncs) one line to state_dir/journal/current.jsonl. A run
// that finishes removes the file; a file found at the start of the next run (which holds the
// run lock, so its writer is gone) lists what the killed run was doing.
namespace agent {

struct JournalEntry {
  std::string run_id;
  long pid = 0;
  std::string target;            // empty for run-level steps
  std::optional<TierName> tier;  // nullopt for run-level steps
  JournalStep step = JournalStep::started;
  std::string detail;  // e.g. a UPID or a path
  std::string at;      // RFC 3339 UTC time of the entry on the run's clock
};

class RunJournal final : public StepJournal {
 public:
  // Starts the journal of run `run_id` under `state_dir`; fails when the directory cannot be
  // created or written. Call read_unfinished() first: this replaces any old journal.
  // `clock` (the run's, which PVE_SMOKERBAK_NOW may set) dates the entries; it must outlive
  // the journal.
  static tl::expected<RunJournal, std::string> begin(const std::filesystem::path& state_dir,
                                                     const std::string& run_id, const Clock& clock);
  // Appends one entry and fsyncs it. Errors are logged, not returned: a journal that cannot
  // be written must not stop a backup.
  void record(std::string_view target, TierName tier, JournalStep step,
              std::string_view detail = {}) override;
  // The run ended (successfully or not, but not by a crash): removes the journal.
  void finish();

  // The entries of a run that was killed before finish(); empty when the last run finished.
  // Unparsable lines (a torn last write) end the list; a line naming a tier or step this
  // version does not know is skipped with a warning.
  static std::vector<JournalEntry> read_unfinished(const std::filesystem::path& state_dir);

 private:
  RunJournal(std::filesystem::path file, std::string run_id, const Clock& clock)
      : m_file(std::move(file)), m_run_id(std::move(run_id)), m_clock(&clock) {}
  void append(std::string_view target, std::string_view tier, JournalStep step,
              std::string_view detail);
  std::filesystem::path m_file;
  std::string m_run_id;
  const Clock* m_clock;
};

}  // namespace agent
