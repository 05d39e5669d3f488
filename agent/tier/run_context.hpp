#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "agent/config/config.hpp"
#include "agent/tier/journal_step.hpp"
#include "agent/tier/tier_name.hpp"

// What one run shares with the tiers it drives.
namespace agent {

// The step journal as tiers see it (agent/run/run_journal.hpp implements it): a tier records a
// step before doing something a crash could leave half-done (a started task), so the next run
// can reconcile it.
class StepJournal {
 public:
  virtual ~StepJournal() = default;
  virtual void record(std::string_view target, TierName tier, JournalStep step,
                      std::string_view detail = {}) = 0;
};

struct RunContext {
  const Config& config;
  std::string run_id;  // UTC start, e.g. "20251207T010002Z"; names both tiers' backups
  std::chrono::system_clock::time_point run_start;
  bool dry_run = false;            // change nothing anywhere; say what would happen
  bool no_prune = false;           // skip retention
  StepJournal* journal = nullptr;  // null in dry runs and some tests
  // The backups the tiers before this one made of the current target in this run, by tier
  // (the mongo manifest names the vzdump archive, so the two backups name each other).
  std::map<TierName, std::string> made;
};

}  // namespace agent
