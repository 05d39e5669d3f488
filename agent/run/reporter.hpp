#pragma once

#include <string>
#include <vector>

#include "agent/core/output.hpp"
#include "agent/core/run_events.hpp"
#include "agent/tier/journal_step.hpp"
#include "agent/tier/prune_plan.hpp"
#include "agent/tier/tier_name.hpp"
#include "agent/tier/tier_outcome.hpp"

// What a run shows the person or script that started it, as data: the orchestrator hands each
// piece to a Reporter when it has it; TextReporter renders the words and tables on an Output.
// (What the agent did also goes to the log, for the journal.)
namespace agent {

// One step of one tier on one target, as the run's summary lists it.
struct StepResult {
  enum class Step { backup, prune, drill };  // drill: a due restore drill (after_backups.hpp)
  std::string target;
  TierName tier = TierName::vzdump;
  Step step = Step::backup;
  TierOutcome outcome;
  double seconds = 0;  // how long the step took
};
// "backup", "prune", "drill".
const char* to_string(StepResult::Step step);

// What a killed run left behind and what each tier's reconcile() did about it.
struct ReconcileReport {
  struct Interrupted {
    std::string target;
    TierName tier = TierName::vzdump;
    JournalStep step = JournalStep::started;  // the last step the journal recorded
    std::string detail;                       // e.g. a UPID
    std::vector<std::string> actions;         // one sentence each
  };
  std::string run_id;
  long pid = 0;
  std::vector<Interrupted> tiers;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  // At the start of a run that found a killed run's journal.
  virtual void reconciled(const ReconcileReport& report) = 0;
  // The retention plan of one tier on one target, in a dry run.
  virtual void prune_plan(const std::string& target, TierName tier, const PrunePlan& plan) = 0;
  // At the end: one row per step, then each step's warnings.
  virtual void summary(const std::vector<StepResult>& steps) = 0;
  // After the summary, when events are configured: what became of each ping and webhook.
  virtual void events(const std::vector<EventDelivery>& /*deliveries*/) {}
};

// The text forms (stable: scripts and the end-to-end tests read them).
class TextReporter final : public Reporter {
 public:
  explicit TextReporter(Output& out) : m_out(out) {}
  void reconciled(const ReconcileReport& report) override;
  void prune_plan(const std::string& target, TierName tier, const PrunePlan& plan) override;
  void summary(const std::vector<StepResult>& steps) override;
  void events(const std::vector<EventDelivery>& deliveries) override;

 private:
  Output& m_out;
};

}  // namespace agent
