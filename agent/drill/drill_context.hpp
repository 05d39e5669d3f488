#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/tier/drill_record.hpp"

// What every drill of one `drill` (or `run`) invocation shares, and the step timing.
namespace agent::drill {

using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

struct DrillContext {
  const Config& config;
  std::string drill_id;  // UTC start stamp; names the scratch copies
  std::int64_t started_at = 0;
  std::string run_id;    // the `run` performing it, "" for `drill`
  bool dry_run = false;  // plan only: change nothing anywhere
  SteadyNow steady = [] { return std::chrono::steady_clock::now(); };
  // A line for the person watching (progress); may be empty.
  std::function<void(const std::string&)> progress;
};

// A drill's result: the record kept in the history, and in a dry run the plan instead.
struct DrillOutcome {
  DrillRecord record;
  std::vector<std::string> plan;  // dry run: what would be done, one line each
};

// The record a drill of `tier` starts from.
DrillRecord start_record(const DrillContext& ctx, const TargetConfig& target, TierName tier,
                         const std::string& source);

// Times one step into the record ("fetch", "restore", "boot", "checks", "cleanup").
class StepTimer {
 public:
  StepTimer(DrillRecord& record, SteadyNow steady)
      : m_record(record), m_steady(std::move(steady)) {}
  template <typename F>
  auto time(const char* step, F&& f) {
    const auto start = m_steady();
    struct Done {
      StepTimer* self;
      const char* step;
      std::chrono::steady_clock::time_point start;
      ~Done() {
        self->m_record.steps.push_back(
            {step, std::chrono::duration<double>(self->m_steady() - start).count()});
      }
    } done{this, step, start};
    return f();
  }

 private:
  DrillRecord& m_record;
  SteadyNow m_steady;
};

// The UTC stamp of epoch seconds that names a drill, "20260101T010000Z".
std::string drill_stamp(std::int64_t epoch);
// "3.53 s", "12.1 s".
std::string seconds_text(double seconds);

// Sets rto_s (every step before cleanup) and the result; `error` empty = success.
void finish_record(DrillRecord& record, std::optional<TierError> error);

}  // namespace agent::drill
