#include <iomanip>
#include <sstream>

#include "agent/run/reporter.hpp"
#include "agent/run/run_event_data.hpp"

namespace agent {

const char* to_string(StepResult::Step step) {
  switch (step) {
    case StepResult::Step::backup:
      return "backup";
    case StepResult::Step::prune:
      return "prune";
    case StepResult::Step::drill:
      return "drill";
  }
  return "?";
}

void TextReporter::reconciled(const ReconcileReport& report) {
  std::ostringstream o;
  o << "Previous run " << report.run_id << " (PID " << report.pid
    << ") did not finish; reconciling what it left:\n";
  for (const auto& t : report.tiers) {
    o << "  " << t.target << "/" << to_string(t.tier) << ": interrupted at step '"
      << to_string(t.step) << "'" << (t.detail.empty() ? "" : " (" + t.detail + ")") << "\n";
    for (const auto& action : t.actions) o << "    " << action << "\n";
  }
  m_out.result(o.str());
}

void TextReporter::prune_plan(const std::string& /*target*/, TierName /*tier*/,
                              const PrunePlan& plan) {
  std::ostringstream o;
  o << plan.heading << ":\n";
  for (const auto& line : plan.lines) {
    switch (line.action) {
      case PlanLine::Action::keep:
        o << "  keep    " << line.id << "  " << line.reason << "\n";
        break;
      case PlanLine::Action::remove:
        o << "  remove  " << line.id << "  " << line.reason << "\n";
        break;
      case PlanLine::Action::notes:
        o << "  notes   " << line.id << ": " << line.reason << "\n";
        break;
    }
  }
  m_out.result(o.str());
}

void TextReporter::summary(const std::vector<StepResult>& steps) {
  std::ostringstream o;
  o << std::left << std::setw(16) << "TARGET" << std::setw(8) << "TIER" << std::setw(8) << "STEP"
    << std::setw(9) << "RESULT"
    << "DETAIL\n";
  for (const auto& s : steps) {
    const auto& out = s.outcome;
    const bool failed = out.state == TierState::failed;
    const std::string detail = failed && out.error ? out.error->message : out.summary;
    o << std::left << std::setw(16) << s.target << std::setw(8) << to_string(s.tier) << std::setw(8)
      << to_string(s.step) << std::setw(9) << (failed ? "FAILED" : to_string(out.state)) << detail
      << "\n";
    for (const auto& w : out.warnings) o << std::string(41, ' ') << "warning: " << w << "\n";
  }
  if (steps.empty()) o << "(nothing to do: no selected target has the selected tier)\n";
  m_out.result(o.str());
}

void TextReporter::events(const std::vector<EventDelivery>& deliveries) {
  if (deliveries.empty()) return;
  m_out.result(render_event_deliveries(deliveries));
}

}  // namespace agent
