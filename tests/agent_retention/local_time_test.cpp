#include "agent/core/local_time.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace agent {
namespace {

using policies::CivilTime;

std::int64_t utc(int y, int mo, int d, int h, int mi = 0, int s = 0) {
  return policies::epoch_from_utc(CivilTime{y, mo, d, h, mi, s});
}

ZoneCalendar berlin() {
  auto zone = ZoneCalendar::open("Europe/Berlin");
  if (!zone) throw std::runtime_error(zone.error());
  return *zone;
}

TEST(ZoneCalendar, BerlinOffsetsFollowDst) {
  const auto z = berlin();
  EXPECT_EQ(z.utc_offset(utc(2024, 1, 15, 12)), 3600);
  EXPECT_EQ(z.utc_offset(utc(2024, 7, 15, 12)), 7200);
  EXPECT_EQ(z.civil(utc(2024, 7, 15, 12)), (CivilTime{2024, 7, 15, 14, 0, 0}));
}

TEST(ZoneCalendar, BerlinDstRulesApplyBeyond2038) {
  // Past the transition table the zone file's POSIX rule applies; 32-bit time_t ends in 2038.
  const auto z = berlin();
  EXPECT_EQ(z.utc_offset(utc(2070, 7, 1, 0)), 7200);
  EXPECT_EQ(z.utc_offset(utc(2070, 1, 1, 0, 1)), 3600);
}

TEST(ZoneCalendar, LocalMidnightStartsTheDayAndIsoWeekUsesLocalDate) {
  const auto z = berlin();
  // 23:30Z on Saturday 2024-03-30 is already Sunday 2024-03-31 (2024-W13) in Berlin.
  const auto f = z.fields(utc(2024, 3, 30, 23, 30));
  EXPECT_EQ(f.civil, (CivilTime{2024, 3, 31, 0, 30, 0}));
  EXPECT_EQ(f.iso, (policies::IsoWeek{2024, 13}));
}

TEST(ZoneCalendar, FallBackHourGivesTheEarlierInstantLikeTimelocal) {
  EXPECT_EQ(berlin().to_epoch(CivilTime{2024, 10, 27, 2, 30, 0}).value(), utc(2024, 10, 27, 0, 30));
}

TEST(ZoneCalendar, SpringForwardGapMovesForwardOneHourLikeTimelocal) {
  EXPECT_EQ(berlin().to_epoch(CivilTime{2024, 3, 31, 2, 30, 0}).value(), utc(2024, 3, 31, 1, 30));
}

TEST(ZoneCalendar, OrdinaryLocalTimesRoundTrip) {
  const auto z = berlin();
  for (std::int64_t t = utc(2024, 1, 1, 0); t < utc(2025, 1, 1, 0); t += 11 * 3600 + 17) {
    const auto back = z.to_epoch(z.civil(t));
    ASSERT_TRUE(back);
    // Only the second pass through the fall-back hour maps to its earlier twin.
    if (*back != t) {
      ASSERT_EQ(*back, t - 3600) << t;
      ASSERT_EQ(z.utc_offset(t), 3600) << t;
    }
  }
}

TEST(ZoneCalendar, InvalidLocalTimeIsAnError) {
  EXPECT_FALSE(berlin().to_epoch(CivilTime{2024, 2, 30, 0, 0, 0}));
}

TEST(ZoneCalendar, UnknownZonesAreErrorsNotUtc) {
  for (const char* name : {"Europe/Berln", "", "../../etc/passwd", "/etc/localtime",
                           "Europe/../Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"}) {
    const auto zone = ZoneCalendar::open(name);
    ASSERT_FALSE(zone) << name;
    EXPECT_NE(zone.error().find("unknown time zone"), std::string::npos) << zone.error();
  }
}

TEST(ZoneCalendar, UtcAndLocalOpen) {
  const auto utc_zone = ZoneCalendar::open("UTC");
  ASSERT_TRUE(utc_zone);
  EXPECT_EQ(utc_zone->utc_offset(utc(2024, 7, 1, 0)), 0);
  EXPECT_TRUE(ZoneCalendar::open("local"));
}

TEST(ZoneCalendar, NamedZonesLeaveTheProcessEnvironmentAlone) {
  const char* before = std::getenv("TZ");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("TZ", "Asia/Tokyo", 1);
  (void)berlin().fields(utc(2024, 7, 1, 0));
  ASSERT_NE(std::getenv("TZ"), nullptr);
  EXPECT_STREQ(std::getenv("TZ"), "Asia/Tokyo");
  // "local" follows the process zone.
  EXPECT_EQ(ZoneCalendar::open("local")->utc_offset(utc(2024, 7, 1, 0)), 9 * 3600);
  if (before != nullptr) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

TEST(ZoneCalendar, ZonesConvertCorrectlyFromManyThreadsAtOnce) {
  // No zone switching behind the calls: every thread sees its own zone's offsets throughout.
  const auto tokyo = ZoneCalendar::open("Asia/Tokyo");
  const auto sao_paulo = ZoneCalendar::open("America/Sao_Paulo");
  ASSERT_TRUE(tokyo && sao_paulo);
  const auto z = berlin();
  std::atomic<int> wrong{0};
  auto work = [&](const ZoneCalendar& zone, std::int64_t winter, std::int64_t summer) {
    for (int i = 0; i < 2000; ++i) {
      wrong += zone.utc_offset(utc(2024, 1, 15, 12)) != winter;
      wrong += zone.utc_offset(utc(2024, 7, 15, 12)) != summer;
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(work, std::cref(z), 3600, 7200);
  threads.emplace_back(work, std::cref(*tokyo), 9 * 3600, 9 * 3600);
  threads.emplace_back(work, std::cref(*sao_paulo), -3 * 3600, -3 * 3600);
  threads.emplace_back(work, std::cref(z), 3600, 7200);
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace agent
