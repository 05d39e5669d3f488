#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "agent/core/clock.hpp"

// Progress lines for long byte-moving work (dump download, restore upload, archive re-reads):
// bytes done, the rate over the last interval and overall, and percent + ETA when the size is
// known or can be estimated. Lines are throttled so a long transfer never floods the journal,
// and one summary line closes the work.
namespace agent {

// The default time between two progress lines: 30 s under systemd (JOURNAL_STREAM set: at most
// 120 lines per hour of transfer in the journal), 5 s otherwise (someone is watching a
// terminal).
std::chrono::seconds default_progress_interval();

// Elapsed time for progress: monotonic (steady_clock), so neither a wall-clock step during a
// long transfer nor the PVE_SMOKERBAK_NOW test hook of SystemClock, which freezes time, distorts
// rates and ETAs. Only differences between its readings mean anything.
class MonotonicClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
};

// A process-wide MonotonicClock for reporters in production code.
const Clock& monotonic_clock();

struct ProgressOptions {
  std::string label;  // what is being done, e.g. "mongo dump of smoker"
  // The exact size when known (a file re-read, an upload): percent and ETA are exact.
  std::optional<std::uint64_t> total;
  // When the total is unknown (a mongodump stream): an estimate, e.g. the previous valid
  // backup's archive size. Shown with "~" and `estimate_basis`; ignored when `total` is set.
  std::optional<std::uint64_t> estimate;
  std::string estimate_basis = "based on the previous backup's size";
  std::chrono::system_clock::duration interval = default_progress_interval();
};

// Receives each finished line (without a newline). The default logs it at info level.
using ProgressSink = std::function<void(const std::string& line)>;

// Not thread-safe: one thread calls advance() and finish().
class ProgressReporter {
 public:
  // `clock` must outlive the reporter. The work is taken to start now.
  ProgressReporter(ProgressOptions options, const Clock& clock, ProgressSink sink = {});

  // Counts `bytes` more as done. Emits a progress line when at least `interval` has passed
  // since the previous line (or the start); otherwise only adds. Cheap enough per network read.
  void advance(std::uint64_t bytes);

  // Emits the summary line once, e.g. "mongo dump of smoker: done, 785.0 MiB in 3m12s
  // (4.1 MiB/s average)". `outcome` says how the work ended ("done", "stopped", ...). Later
  // calls do nothing; a reporter never finished logs no summary.
  void finish(std::string_view outcome = "done");

  std::uint64_t bytes() const { return m_done; }
  // Progress lines emitted so far (not counting the summary).
  unsigned lines() const { return m_lines; }

 private:
  std::string progress_line(std::chrono::system_clock::time_point now) const;

  ProgressOptions m_options;
  const Clock& m_clock;
  ProgressSink m_sink;
  std::chrono::system_clock::time_point m_start;
  std::chrono::system_clock::time_point m_last_line;
  std::uint64_t m_done = 0;
  std::uint64_t m_done_at_last_line = 0;
  unsigned m_lines = 0;
  bool m_finished = false;
};

// "0s", "42s", "2m10s", "1h05m", "3d04h": a duration to the second for ETAs and elapsed times.
std::string progress_duration(std::chrono::system_clock::duration d);

}  // namespace agent
