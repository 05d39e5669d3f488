#include "agent/core/progress.hpp"

#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "agent/core/human_format.hpp"

namespace agent {
namespace {

using std::chrono::system_clock;

double seconds_of(system_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Bytes per second over `d`; 0 when no time passed.
double rate_of(std::uint64_t bytes, system_clock::duration d) {
  const double s = seconds_of(d);
  return s > 0 ? static_cast<double>(bytes) / s : 0.0;
}

std::string human_rate(double bytes_per_s) {
  return human_bytes(static_cast<std::uint64_t>(bytes_per_s)) + "/s";
}

// Whole percent, rounded down so 100% only shows when everything is done.
std::string percent_of(std::uint64_t done, std::uint64_t total) {
  if (total == 0) return "100%";
  const std::uint64_t p = done >= total ? 100 : done * 100 / total;
  return std::to_string(p) + "%";
}

// Time left for `left` bytes at `rate`, rounded up to the next second.
std::string eta_of(std::uint64_t left, double rate) {
  const double s = static_cast<double>(left) / rate;
  return progress_duration(
      std::chrono::duration_cast<system_clock::duration>(std::chrono::duration<double>(s + 0.999)));
}

}  // namespace

std::chrono::seconds default_progress_interval() {
  return std::chrono::seconds(std::getenv("JOURNAL_STREAM") != nullptr ? 30 : 5);
}

system_clock::time_point MonotonicClock::now() const {
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(
      std::chrono::steady_clock::now().time_since_epoch()));
}

const Clock& monotonic_clock() {
  static const MonotonicClock clock;
  return clock;
}

std::string progress_duration(system_clock::duration d) {
  long long s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s < 0) s = 0;
  char buf[48];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
  }
  return buf;
}

ProgressReporter::ProgressReporter(ProgressOptions options, const Clock& clock, ProgressSink sink)
    : m_options(std::move(options)), m_clock(clock), m_sink(std::move(sink)) {
  if (!m_sink) m_sink = [](const std::string& line) { spdlog::info("{}", line); };
  m_start = m_last_line = m_clock.now();
}

void ProgressReporter::advance(std::uint64_t bytes) {
  m_done += bytes;
  const auto now = m_clock.now();
  if (now - m_last_line < m_options.interval) return;
  m_sink(progress_line(now));
  m_last_line = now;
  m_done_at_last_line = m_done;
  ++m_lines;
}

std::string ProgressReporter::progress_line(system_clock::time_point now) const {
  const double recent = rate_of(m_done - m_done_at_last_line, now - m_last_line);
  const double overall = rate_of(m_done, now - m_start);
  std::string line = m_options.label + ": " + human_bytes(m_done);
  std::string eta;
  if (m_options.total) {
    const std::uint64_t total = *m_options.total;
    line += " of " + human_bytes(total) + " (" + percent_of(m_done, total) + ")";
    if (m_done >= total) {
      eta = ", ETA 0s";
    } else if (overall > 0) {
      eta = ", ETA " + eta_of(total - m_done, overall);
    } else {
      eta = ", ETA unknown (nothing done yet)";
    }
  } else if (m_options.estimate) {
    const std::uint64_t estimate = *m_options.estimate;
    if (m_done < estimate) {
      line += " of ~" + human_bytes(estimate) + " (~" + percent_of(m_done, estimate) + ")";
      eta = overall > 0 ? ", ETA ~" + eta_of(estimate - m_done, overall) + " (" +
                              m_options.estimate_basis + ")"
                        : ", ETA unknown (nothing done yet)";
    } else {
      line += " (more than the ~" + human_bytes(estimate) + " expected, " +
              m_options.estimate_basis + ")";
      eta = ", ETA unknown";
    }
  }
  line += ", " + human_rate(recent) + " now, " + human_rate(overall) + " average" + eta;
  return line;
}

void ProgressReporter::finish(std::string_view outcome) {
  if (m_finished) return;
  m_finished = true;
  const auto elapsed = m_clock.now() - m_start;
  std::string line = m_options.label + ": " + std::string(outcome) + ", " + human_bytes(m_done);
  if (m_options.total && m_done != *m_options.total) line += " of " + human_bytes(*m_options.total);
  // Sub-10-second work gets tenths, so short summaries do not read "in 0s".
  const double secs = seconds_of(elapsed);
  char short_time[32];
  std::snprintf(short_time, sizeof short_time, "%.1fs", secs);
  line += " in " + (secs < 10 ? std::string(short_time) : progress_duration(elapsed)) + " (" +
          human_rate(rate_of(m_done, elapsed)) + " average)";
  m_sink(line);
}

}  // namespace agent
