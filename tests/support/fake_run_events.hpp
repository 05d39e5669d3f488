#pragma once

#include <string>
#include <vector>

#include "agent/core/run_events.hpp"

// A scripted RunEvents for driving the orchestrator in-process: records what the run handed
// over, in order, and answers with the given deliveries (e.g. a failed ping).
namespace testing_support {

class FakeRunEvents final : public agent::RunEvents {
 public:
  std::vector<agent::RunEventData> calls;  // run_started's, then run_finished's
  std::vector<agent::EventDelivery> on_start;
  std::vector<agent::EventDelivery> on_finish;

  std::vector<agent::EventDelivery> run_started(const agent::RunEventData& run) override {
    calls.push_back(run);
    return on_start;
  }
  std::vector<agent::EventDelivery> run_finished(const agent::RunEventData& run) override {
    calls.push_back(run);
    return on_finish;
  }
};

}  // namespace testing_support
