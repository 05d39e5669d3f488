#pragma once

#include <string>
#include <vector>

// What a retention pass keeps and removes, and why, as a tier computed it. A dry run shows it
// (the orchestrator hands it to the Reporter); tiers never print it themselves.
namespace agent {

struct PlanLine {
  enum class Action {
    keep,    // stays (a retention rule, protected, evidence, or not the agent's)
    remove,  // the retention policy removes it
    notes,   // its notes' first line is rewritten (vzdump)
  };
  Action action = Action::keep;
  std::string id;      // volid or backup directory name
  std::string reason;  // e.g. "keep: daily 2/7"; for notes: the new first line
};

struct PrunePlan {
  std::string heading;  // e.g. "vzdump prune plan for prod-cloud (CT 106, storage local)"
  std::vector<PlanLine> lines;
};

}  // namespace agent
