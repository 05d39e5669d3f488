#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/core/run_events.hpp"
#include "agent/run/reporter.hpp"

// What the run hands to RunEvents (agent/core/run_events.hpp), made from its steps, and how the
// summary shows what became of the events.
namespace agent {

EventStep to_event_step(const StepResult& step);

// `result`: "start" for the run's beginning (no steps), otherwise "fail" when a step failed,
// else "success" (warnings included: healthchecks.io's "up").
RunEventData run_event_data(const std::string& run_id, bool dry_run, std::int64_t started_epoch,
                            double seconds, const std::vector<StepResult>* steps, int exit_code);

// "events:" and one indented describe() line per delivery.
std::string render_event_deliveries(const std::vector<EventDelivery>& deliveries);

}  // namespace agent
