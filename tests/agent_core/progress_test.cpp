#include "agent/core/progress.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/core/log.hpp"
#include "tests/support/manual_clock.hpp"

namespace {

using std::chrono::seconds;
using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

constexpr std::uint64_t k_mib = 1024 * 1024;

// A reporter on a manual clock whose lines are collected instead of logged.
struct Harness {
  agent::ManualClock clock{std::chrono::system_clock::time_point(seconds(1'800'000'000))};
  std::vector<std::string> lines;
  agent::ProgressReporter make(agent::ProgressOptions o) {
    return agent::ProgressReporter(std::move(o), clock,
                                   [this](const std::string& l) { lines.push_back(l); });
  }
};

agent::ProgressOptions options(std::optional<std::uint64_t> total = std::nullopt,
                               std::optional<std::uint64_t> estimate = std::nullopt) {
  agent::ProgressOptions o;
  o.label = "mongo dump of smoker";
  o.total = total;
  o.estimate = estimate;
  o.interval = seconds(30);
  return o;
}

TEST(ProgressReporter, LogsAtMostOneLinePerInterval) {
  Harness h;
  auto p = h.make(options(1000 * k_mib));
  // 1 MiB every second for 95 s: lines at 30, 60 and 90 s only.
  for (int s = 1; s <= 95; ++s) {
    h.clock.advance(seconds(1));
    p.advance(k_mib);
  }
  EXPECT_EQ(h.lines.size(), 3U);
  EXPECT_EQ(p.lines(), 3U);
  EXPECT_EQ(p.bytes(), 95 * k_mib);
  EXPECT_THAT(h.lines[0], StartsWith("mongo dump of smoker: 30.0 MiB of 1000.0 MiB (3%)"));
  EXPECT_THAT(h.lines[2], StartsWith("mongo dump of smoker: 90.0 MiB of 1000.0 MiB (9%)"));
}

TEST(ProgressReporter, ManyCallsWithinOneIntervalLogNothing) {
  Harness h;
  auto p = h.make(options());
  for (int i = 0; i < 100000; ++i) p.advance(32 * 1024);
  h.clock.advance(seconds(29));
  p.advance(1);
  EXPECT_TRUE(h.lines.empty());
}

TEST(ProgressReporter, EtaAndPercentFromTheKnownTotal) {
  Harness h;
  auto p = h.make(options(400 * k_mib));
  h.clock.advance(seconds(30));
  p.advance(60 * k_mib);  // 2 MiB/s; 340 MiB left -> 170 s
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_EQ(h.lines[0],
            "mongo dump of smoker: 60.0 MiB of 400.0 MiB (15%), 2.0 MiB/s now, 2.0 MiB/s "
            "average, ETA 2m50s");
}

TEST(ProgressReporter, RecentRateCoversOnlyTheLastIntervalAndEtaUsesTheAverage) {
  Harness h;
  auto p = h.make(options(300 * k_mib));
  h.clock.advance(seconds(30));
  p.advance(90 * k_mib);  // 3 MiB/s
  h.clock.advance(seconds(30));
  p.advance(30 * k_mib);  // 1 MiB/s in this interval, 2 MiB/s on average; 180 MiB left
  ASSERT_EQ(h.lines.size(), 2U);
  EXPECT_THAT(h.lines[1], HasSubstr("120.0 MiB of 300.0 MiB (40%), 1.0 MiB/s now, 2.0 MiB/s "
                                    "average, ETA 1m30s"));
}

TEST(ProgressReporter, EtaRoundsUpToTheNextSecond) {
  Harness h;
  auto p = h.make(options(100 * k_mib));
  h.clock.advance(seconds(30));
  p.advance(90 * k_mib + 1);  // 10 MiB - 1 byte left at 3 MiB/s: 3.33 s
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_THAT(h.lines[0], HasSubstr("(90%)"));
  EXPECT_THAT(h.lines[0], HasSubstr("ETA 4s"));
}

TEST(ProgressReporter, UnknownTotalWithoutEstimateShowsBytesAndRatesOnly) {
  Harness h;
  auto p = h.make(options());
  h.clock.advance(seconds(31));
  p.advance(31 * k_mib);
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_EQ(h.lines[0], "mongo dump of smoker: 31.0 MiB, 1.0 MiB/s now, 1.0 MiB/s average");
}

TEST(ProgressReporter, UnknownTotalUsesThePreviousBackupSizeAsAnApproximateEstimate) {
  Harness h;
  auto p = h.make(options(std::nullopt, 200 * k_mib));
  h.clock.advance(seconds(60));
  p.advance(120 * k_mib);  // 2 MiB/s, ~80 MiB left -> ~40 s
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_EQ(h.lines[0],
            "mongo dump of smoker: 120.0 MiB of ~200.0 MiB (~60%), 2.0 MiB/s now, 2.0 MiB/s "
            "average, ETA ~40s (based on the previous backup's size)");
}

TEST(ProgressReporter, BeyondTheEstimateSaysSoInsteadOfANegativeEta) {
  Harness h;
  auto p = h.make(options(std::nullopt, 100 * k_mib));
  h.clock.advance(seconds(30));
  p.advance(150 * k_mib);
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_THAT(h.lines[0], HasSubstr("150.0 MiB (more than the ~100.0 MiB expected, based on the "
                                    "previous backup's size)"));
  EXPECT_THAT(h.lines[0], HasSubstr("ETA unknown"));
  EXPECT_THAT(h.lines[0], Not(HasSubstr("%")));
}

TEST(ProgressReporter, AKnownTotalWinsOverAnEstimate) {
  Harness h;
  auto p = h.make(options(100 * k_mib, 999 * k_mib));
  h.clock.advance(seconds(30));
  p.advance(50 * k_mib);
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_THAT(h.lines[0], HasSubstr("of 100.0 MiB (50%)"));
  EXPECT_THAT(h.lines[0], Not(HasSubstr("~")));
}

TEST(ProgressReporter, NothingDoneYetGivesNoEta) {
  Harness h;
  auto p = h.make(options(100 * k_mib));
  h.clock.advance(seconds(30));
  p.advance(0);
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_THAT(h.lines[0], HasSubstr("0 B of 100.0 MiB (0%), 0 B/s now, 0 B/s average, ETA "
                                    "unknown (nothing done yet)"));
}

TEST(ProgressReporter, FinishWritesOneSummaryLine) {
  Harness h;
  auto p = h.make(options(std::nullopt, 10 * k_mib));
  h.clock.advance(seconds(125));
  p.advance(250 * k_mib);
  h.lines.clear();
  p.finish();
  p.finish();
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_EQ(h.lines[0], "mongo dump of smoker: done, 250.0 MiB in 2m05s (2.0 MiB/s average)");
}

TEST(ProgressReporter, SummaryOfShortWorkShowsTenthsOfSeconds) {
  Harness h;
  auto p = h.make(options(8 * k_mib));
  h.clock.advance(std::chrono::milliseconds(500));
  p.advance(8 * k_mib);
  p.finish();
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_EQ(h.lines[0], "mongo dump of smoker: done, 8.0 MiB in 0.5s (16.0 MiB/s average)");
}

TEST(ProgressReporter, SummaryOfStoppedWorkNamesTheShortfall) {
  Harness h;
  auto p = h.make(options(100 * k_mib));
  h.clock.advance(seconds(20));
  p.advance(40 * k_mib);
  p.finish("stopped");
  ASSERT_EQ(h.lines.size(), 1U);
  EXPECT_EQ(h.lines[0],
            "mongo dump of smoker: stopped, 40.0 MiB of 100.0 MiB in 20s (2.0 MiB/s average)");
}

TEST(ProgressDuration, FormatsToTheSecondThenCoarser) {
  EXPECT_EQ(agent::progress_duration(seconds(0)), "0s");
  EXPECT_EQ(agent::progress_duration(seconds(42)), "42s");
  EXPECT_EQ(agent::progress_duration(seconds(130)), "2m10s");
  EXPECT_EQ(agent::progress_duration(seconds(3900)), "1h05m");
  EXPECT_EQ(agent::progress_duration(seconds(273600)), "3d04h");
  EXPECT_EQ(agent::progress_duration(seconds(-5)), "0s");
}

TEST(MonotonicClock, KeepsMovingWhilePveSmokerbakNowFreezesTheSystemClock) {
  setenv("PVE_SMOKERBAK_NOW", "2026-01-01T00:00:00Z", 1);
  const agent::SystemClock frozen;
  const auto& c = agent::monotonic_clock();
  const auto a = c.now();
  const auto f = frozen.now();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_GE(c.now() - a, std::chrono::milliseconds(2));
  EXPECT_EQ(frozen.now(), f);
  unsetenv("PVE_SMOKERBAK_NOW");
}

// Restores JOURNAL_STREAM and the terminal logger after a test that pretends to run under
// systemd.
class UnderJournald : public testing::Test {
 protected:
  void SetUp() override {
    if (const char* v = std::getenv("JOURNAL_STREAM")) m_saved = v;
    setenv("JOURNAL_STREAM", "8:12345", 1);
    agent::setup_logging("info");
  }
  void TearDown() override {
    if (m_saved) {
      setenv("JOURNAL_STREAM", m_saved->c_str(), 1);
    } else {
      unsetenv("JOURNAL_STREAM");
    }
    agent::setup_logging("info");
  }

 private:
  std::optional<std::string> m_saved;
};

TEST_F(UnderJournald, DefaultIntervalIsThirtySeconds) {
  EXPECT_EQ(agent::default_progress_interval(), seconds(30));
}

TEST_F(UnderJournald, LinesGoToTheLogAsInfoWithThePriorityPrefixAndNoTimestamp) {
  agent::ManualClock clock;
  agent::ProgressOptions o;
  o.label = "validate backup-20261126-010002";
  o.total = 4 * k_mib;
  agent::ProgressReporter p(o, clock);  // default sink: the process logger
  testing::internal::CaptureStderr();
  clock.advance(seconds(29));
  p.advance(k_mib);  // inside the 30 s interval: nothing
  clock.advance(seconds(1));
  p.advance(k_mib);
  p.finish();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err,
            "<6>validate backup-20261126-010002: 2.0 MiB of 4.0 MiB (50%), 68.3 KiB/s now, "
            "68.3 KiB/s average, ETA 30s\n"
            "<6>validate backup-20261126-010002: done, 2.0 MiB of 4.0 MiB in 30s (68.3 KiB/s "
            "average)\n");
}

TEST(ProgressInterval, IsFiveSecondsOnATerminal) {
  const char* saved = std::getenv("JOURNAL_STREAM");
  const std::optional<std::string> keep = saved ? std::optional<std::string>(saved) : std::nullopt;
  unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(agent::default_progress_interval(), seconds(5));
  if (keep) setenv("JOURNAL_STREAM", keep->c_str(), 1);
}

}  // namespace
