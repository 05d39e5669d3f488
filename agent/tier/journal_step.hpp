#pragma once

#include <optional>
#include <string_view>

// The steps a run records in its crash journal (agent/run/run_journal.hpp). The journal file
// keeps the words; code decides by the enum. A word this version does not know (a journal
// written by a newer version) reads as nullopt and the entry is skipped with a warning.
namespace agent {

enum class JournalStep {
  started,       // the run began (run-level, no target)
  backup,        // a tier's backup of a target began
  task_started,  // a Proxmox task was started; detail = its UPID
  upload,        // an off-site upload began; detail = "<destination> <object key>"
  prune,         // a tier's retention of a target began
  done,          // a tier finished a target: nothing to reconcile
};

std::string_view to_string(JournalStep step);  // "started", "backup", "task-started", ...
std::optional<JournalStep> parse_journal_step(std::string_view word);

}  // namespace agent
