// The Object Lock plan from the one retention policy (agent/offsite/offsite_policy.hpp): the
// retain-until a kept copy needs is derived from the rule that keeps it, a promotion (daily to
// weekly or monthly) asks for a later one, and a date in the past is never planned.
#include "agent/offsite/offsite_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "policies/civil_time.hpp"

namespace agent::offsite {
namespace {

constexpr std::int64_t k_day = 86400;

std::int64_t utc(int y, int m, int d, int h = 0, int min = 0) {
  return policies::epoch_from_utc(policies::CivilTime{y, m, d, h, min, 0});
}

ZoneCalendar zone(const char* name) {
  auto z = ZoneCalendar::open(name);
  EXPECT_TRUE(z) << z.error();
  return std::move(*z);
}

policies::RetentionPolicy policy(std::optional<std::int64_t> last,
                                 std::optional<std::int64_t> daily,
                                 std::optional<std::int64_t> weekly,
                                 std::optional<std::int64_t> monthly) {
  policies::RetentionPolicy p;
  p.keep_last = last;
  p.keep_daily = daily;
  p.keep_weekly = weekly;
  p.keep_monthly = monthly;
  return p;
}

policies::Decision kept_by(policies::Rule rule) {
  policies::Decision d;
  d.mark = policies::Mark::keep;
  d.rules = {rule};
  return d;
}

// 2026-11-04 is a Wednesday.
const std::int64_t k_ctime = utc(2026, 11, 4, 1, 30);
const std::int64_t k_long_ago = utc(2026, 1, 1);  // `now` far before every let-go date

TEST(LockPlan, DailyKeeperIsLockedUntilMidnightNDaysLaterPlusOneInterval) {
  const auto cal = zone("UTC");
  const auto p = policy(std::nullopt, 7, std::nullopt, std::nullopt);
  const LockPlan plan = lock_plan(kept_by(policies::Rule::daily), k_ctime, p, cal, k_long_ago);
  EXPECT_EQ(plan.required, utc(2026, 11, 11) + k_day);
  EXPECT_EQ(plan.extend_to, plan.required);
}

TEST(LockPlan, WeeklyKeeperIsLockedUntilTheMondayNWeeksLaterPlusOneInterval) {
  const auto cal = zone("UTC");
  const auto p = policy(std::nullopt, 7, 4, std::nullopt);
  const LockPlan plan = lock_plan(kept_by(policies::Rule::weekly), k_ctime, p, cal, k_long_ago);
  // The week of 2026-11-02 (Monday) + 4 weeks = 2026-11-30.
  EXPECT_EQ(plan.required, utc(2026, 11, 30) + k_day);
}

TEST(LockPlan, MonthlyKeeperIsLockedUntilTheFirstNMonthsLaterAcrossTheYear) {
  const auto cal = zone("UTC");
  const auto p = policy(std::nullopt, 7, 4, 6);
  const LockPlan plan = lock_plan(kept_by(policies::Rule::monthly), k_ctime, p, cal, k_long_ago);
  EXPECT_EQ(plan.required, utc(2027, 5, 1) + k_day);
}

TEST(LockPlan, KeepLastCountsBackupIntervalsHourlyWhenThePolicyKeepsHourlies) {
  const auto cal = zone("UTC");
  auto p = policy(5, std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(lock_plan(kept_by(policies::Rule::last), k_ctime, p, cal, k_long_ago).required,
            k_ctime + 6 * k_day);
  p.keep_hourly = 24;
  EXPECT_EQ(lock_plan(kept_by(policies::Rule::last), k_ctime, p, cal, k_long_ago).required,
            k_ctime + 6 * 3600);
}

TEST(LockPlan, DailyMidnightIsTheLocalOneInTheConfiguredZone) {
  const auto cal = zone("Europe/Berlin");
  const auto p = policy(std::nullopt, 2, std::nullopt, std::nullopt);
  // 2026-11-04 01:30 UTC is 02:30 in Berlin (CET, +1): midnight of 11-06 local is 11-05 23:00Z.
  const LockPlan plan = lock_plan(kept_by(policies::Rule::daily), k_ctime, p, cal, k_long_ago);
  EXPECT_EQ(plan.required, utc(2026, 11, 5, 23) + k_day);
}

TEST(LockPlan, NeverPlansADateInThePast) {
  const auto cal = zone("UTC");
  const auto p = policy(std::nullopt, 1, std::nullopt, std::nullopt);
  const std::int64_t now = k_ctime + 30 * k_day;  // the daily rule let it go long ago
  const LockPlan plan = lock_plan(kept_by(policies::Rule::daily), k_ctime, p, cal, now);
  EXPECT_EQ(plan.required, now + k_day);
  EXPECT_GE(plan.extend_to, plan.required);
}

TEST(LockPlan, KeepAllLocksAYearAndAsksForAtLeastThirtyDays) {
  const auto cal = zone("UTC");
  policies::RetentionPolicy p;
  p.keep_all = true;
  policies::Decision d;
  d.mark = policies::Mark::keep;
  const LockPlan plan = lock_plan(d, k_ctime, p, cal, k_ctime);
  EXPECT_EQ(plan.required, k_ctime + 30 * k_day);
  EXPECT_EQ(plan.extend_to, k_ctime + 365 * k_day);
}

// What the policy decides, not a hand-made decision: a Sunday backup is the daily keeper while
// it is the newest; once a Monday backup exists it is kept as its week's weekly, and the lock
// it needs grows from "the daily lets it go" to "the weekly lets it go".
TEST(LockPlan, PromotionFromDailyToWeeklyAsksForALaterRetainUntil) {
  const auto cal = zone("UTC");
  const auto p = policy(std::nullopt, 1, 4, std::nullopt);
  const std::int64_t sunday = utc(2026, 11, 8, 12);
  const std::int64_t monday = utc(2026, 11, 9, 12);

  std::vector<policies::BackupEntry> alone = {{"sun", sunday, false}};
  const auto before = policies::mark_backups(alone, p, cal);
  ASSERT_EQ(before[0].mark, policies::Mark::keep);
  ASSERT_EQ(before[0].rules.front(), policies::Rule::daily);
  const LockPlan daily = lock_plan(before[0], sunday, p, cal, k_long_ago);
  EXPECT_EQ(daily.required, utc(2026, 11, 9) + k_day);

  std::vector<policies::BackupEntry> both = {{"sun", sunday, false}, {"mon", monday, false}};
  const auto after = policies::mark_backups(both, p, cal);
  ASSERT_EQ(after[0].mark, policies::Mark::keep);
  ASSERT_EQ(after[0].rules.front(), policies::Rule::weekly);
  const LockPlan weekly = lock_plan(after[0], sunday, p, cal, k_long_ago);
  // Its week began Monday 2026-11-02; 4 weeks later: 2026-11-30.
  EXPECT_EQ(weekly.required, utc(2026, 11, 30) + k_day);
  EXPECT_GT(weekly.required, daily.required);
}

TEST(LockPlan, DestinationOverrideIsThePolicyUsedOffsite) {
  Config config;
  config.retention = policy(std::nullopt, 7, std::nullopt, std::nullopt);
  TargetConfig t;
  t.name = "prod";
  OffsiteDestination d;
  EXPECT_EQ(offsite_policy(config, t, d).keep_daily, 7);
  d.retention = policy(std::nullopt, 30, std::nullopt, std::nullopt);
  EXPECT_EQ(offsite_policy(config, t, d).keep_daily, 30);
}

}  // namespace
}  // namespace agent::offsite
