#include "agent/run/run_event_data.hpp"

namespace agent {

EventStep to_event_step(const StepResult& step) {
  EventStep e;
  e.target = step.target;
  e.tier = to_string(step.tier);
  e.step = to_string(step.step);
  e.result = to_string(step.outcome.state);
  if (step.outcome.error) {
    e.error_kind = to_string(step.outcome.error->kind);
    e.error_message = step.outcome.error->message;
  }
  if (step.step == StepResult::Step::backup) {
    e.backup_id = step.outcome.backup_id;
    e.backup_bytes = step.outcome.backup_bytes;
  }
  e.seconds = step.seconds;
  e.warnings = step.outcome.warnings;
  return e;
}

RunEventData run_event_data(const std::string& run_id, bool dry_run, std::int64_t started_epoch,
                            double seconds, const std::vector<StepResult>* steps, int exit_code) {
  RunEventData d;
  d.run_id = run_id;
  d.dry_run = dry_run;
  d.started_epoch = started_epoch;
  d.seconds = seconds;
  d.exit_code = exit_code;
  if (!steps) {
    d.result = "start";
    return d;
  }
  bool failed = false;
  for (const auto& s : *steps) {
    failed = failed || s.outcome.state == TierState::failed;
    d.steps.push_back(to_event_step(s));
  }
  d.result = failed ? "fail" : "success";
  return d;
}

std::string render_event_deliveries(const std::vector<EventDelivery>& deliveries) {
  std::string out = "events:\n";
  for (const auto& d : deliveries) {
    std::string line = describe(d);
    // A dry run's body follows on its own lines: indent them under the event.
    for (std::size_t at = line.find('\n'); at != std::string::npos; at = line.find('\n', at + 5)) {
      line.replace(at, 1, "\n    ");
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '\n')) line.pop_back();
    out += "  " + line + "\n";
  }
  return out;
}

}  // namespace agent
