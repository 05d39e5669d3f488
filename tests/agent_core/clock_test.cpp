#include "agent/core/clock.hpp"
#include "tests/support/manual_clock.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

system_clock::time_point at(std::int64_t epoch_seconds) {
  return system_clock::time_point(seconds(epoch_seconds));
}

TEST(ParseInstant, ReadsEpochSeconds) {
  EXPECT_EQ(*agent::parse_instant("1767225600"), at(1767225600));
}

TEST(ParseInstant, ReadsRfc3339UtcAndOffsets) {
  EXPECT_EQ(*agent::parse_instant("2026-01-01T00:00:00Z"), at(1767225600));
  EXPECT_EQ(*agent::parse_instant("2026-01-01t00:00:00z"), at(1767225600));
  EXPECT_EQ(*agent::parse_instant("2026-01-01T01:00:00+01:00"), at(1767225600));
  EXPECT_EQ(*agent::parse_instant("2025-12-31T19:00:00-05:00"), at(1767225600));
  EXPECT_EQ(*agent::parse_instant("2024-02-29T12:00:00.5Z"),
            at(1709208000) + std::chrono::milliseconds(500));
}

TEST(ParseInstant, RejectsMalformedValuesWithAReason) {
  for (const char* bad :
       {"", "2026-01-01", "2026-01-01T00:00:00", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z",
        "yesterday", "2026-01-01T00:00:00Zjunk", "99999999999999999999"}) {
    const auto parsed = agent::parse_instant(bad);
    EXPECT_FALSE(parsed.has_value()) << bad;
  }
  EXPECT_EQ(agent::parse_instant("2026-01-01T00:00:00").error(),
            "expected RFC 3339 such as 2026-01-31T01:00:00Z, got \"2026-01-01T00:00:00\" (the "
            "time zone suffix Z or +HH:MM is required)");
}

TEST(SystemClock, HonoursPveSmokerbakNowTestHook) {
  ::setenv("PVE_SMOKERBAK_NOW", "2027-03-01T02:00:00Z", 1);
  const agent::SystemClock clock;
  ::unsetenv("PVE_SMOKERBAK_NOW");
  EXPECT_FALSE(clock.override_error().has_value());
  EXPECT_EQ(clock.now(), *agent::parse_instant("2027-03-01T02:00:00Z"));
}

TEST(SystemClock, ReportsUnparsableOverrideAndFallsBackToRealTime) {
  ::setenv("PVE_SMOKERBAK_NOW", "soon", 1);
  const agent::SystemClock clock;
  ::unsetenv("PVE_SMOKERBAK_NOW");
  ASSERT_TRUE(clock.override_error().has_value());
  EXPECT_EQ(clock.override_error()->rfind("PVE_SMOKERBAK_NOW: ", 0), 0u);
  const auto before = system_clock::now();
  EXPECT_GE(clock.now(), before);
}

TEST(SystemClock, UsesRealTimeWithoutOverride) {
  ::unsetenv("PVE_SMOKERBAK_NOW");
  const agent::SystemClock clock;
  const auto before = system_clock::now();
  const auto now = clock.now();
  EXPECT_GE(now, before);
  EXPECT_LE(now, system_clock::now());
}

TEST(ManualClock, MovesOnlyWhenToldTo) {
  agent::ManualClock clock(at(1000));
  EXPECT_EQ(clock.now(), at(1000));
  clock.advance(std::chrono::hours(24));
  EXPECT_EQ(clock.now(), at(1000 + 86400));
  clock.set(at(5));
  EXPECT_EQ(clock.now(), at(5));
  const agent::Clock& as_interface = clock;
  EXPECT_EQ(as_interface.now(), at(5));
}

}  // namespace
