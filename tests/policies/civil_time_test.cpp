#include "policies/civil_time.hpp"

#include <gtest/gtest.h>

#include "policies/local_calendar.hpp"

namespace policies {
namespace {

TEST(CivilTime, EpochZeroIsNewYear1970) {
  EXPECT_EQ(utc_from_epoch(0), (CivilTime{1970, 1, 1, 0, 0, 0}));
  EXPECT_EQ(epoch_from_utc(CivilTime{1970, 1, 1, 0, 0, 0}), 0);
}

TEST(CivilTime, Year2070TimestampFromUpstreamTestNeeds64Bits) {
  // 3155760060 does not fit a signed 32-bit time_t.
  EXPECT_EQ(utc_from_epoch(3155760060), (CivilTime{2070, 1, 1, 0, 1, 0}));
  EXPECT_EQ(epoch_from_utc(CivilTime{2070, 1, 1, 0, 1, 0}), 3155760060);
}

TEST(CivilTime, NegativeEpochsLandOnTheDayBefore1970) {
  EXPECT_EQ(utc_from_epoch(-1), (CivilTime{1969, 12, 31, 23, 59, 59}));
}

TEST(CivilTime, RoundTripsEveryDayOverFourCenturies) {
  for (std::int64_t day = -146097; day <= 146097; day += 1) {
    const CivilTime c = civil_from_days(day);
    ASSERT_TRUE(is_valid(c)) << day;
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), day);
  }
}

TEST(CivilTime, ValidityChecksLeapDaysAndRanges) {
  EXPECT_TRUE(is_valid(CivilTime{2024, 2, 29, 0, 0, 0}));
  EXPECT_FALSE(is_valid(CivilTime{2023, 2, 29, 0, 0, 0}));
  EXPECT_FALSE(is_valid(CivilTime{1900, 2, 29, 0, 0, 0}));
  EXPECT_TRUE(is_valid(CivilTime{2000, 2, 29, 0, 0, 0}));
  EXPECT_FALSE(is_valid(CivilTime{2024, 13, 1, 0, 0, 0}));
  EXPECT_FALSE(is_valid(CivilTime{2024, 1, 1, 24, 0, 0}));
}

TEST(IsoWeek, DecemberThirtyFirst2019IsWeekOneOf2020) {
  EXPECT_EQ(iso_week_of(2019, 12, 31), (IsoWeek{2020, 1}));
  EXPECT_EQ(iso_week_of(2019, 12, 29), (IsoWeek{2019, 52}));
}

TEST(IsoWeek, December30th2024IsWeekOneOf2025) {
  EXPECT_EQ(iso_week_of(2024, 12, 30), (IsoWeek{2025, 1}));
}

TEST(IsoWeek, Year2020HasAWeek53ReachingInto2021) {
  EXPECT_EQ(iso_week_of(2020, 12, 31), (IsoWeek{2020, 53}));
  EXPECT_EQ(iso_week_of(2021, 1, 3), (IsoWeek{2020, 53}));
  EXPECT_EQ(iso_week_of(2021, 1, 4), (IsoWeek{2021, 1}));
}

TEST(IsoWeek, WeeksStartOnMonday) {
  EXPECT_EQ(iso_week_of(2024, 1, 7), (IsoWeek{2024, 1}));  // Sunday
  EXPECT_EQ(iso_week_of(2024, 1, 8), (IsoWeek{2024, 2}));  // Monday
}

TEST(UtcCalendar, FieldsCarryTheIsoWeek) {
  const UtcCalendar cal;
  const LocalFields f = cal.fields(epoch_from_utc(CivilTime{2024, 12, 30, 23, 59, 59}));
  EXPECT_EQ(f.civil, (CivilTime{2024, 12, 30, 23, 59, 59}));
  EXPECT_EQ(f.iso, (IsoWeek{2025, 1}));
}

}  // namespace
}  // namespace policies
