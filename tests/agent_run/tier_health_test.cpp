#include "agent/status/tier_health.hpp"

#include <gtest/gtest.h>

#include "agent/status/status_report.hpp"

namespace {

constexpr std::int64_t k_now = 1'800'000'000;

agent::TierRecord fresh_record(std::int64_t age_s) {
  agent::TierRecord r;
  r.target = "prod-cloud";
  r.tier = agent::TierName::mongo;
  r.last_run_id = "20270115T010000Z";
  r.last_run_at = k_now - age_s;
  r.last_run_state = agent::TierState::ok;
  r.last_success_at = k_now - age_s;
  r.last_success_bytes = 1000;
  return r;
}

TEST(Freshness, NightlyPolicyWarnsPast26HoursAndIsCriticalPast50) {
  const auto f = agent::freshness_for(policies::RetentionPolicy{}, std::nullopt);
  EXPECT_EQ(f.warn_after_s, 26 * 3600);
  EXPECT_EQ(f.critical_after_s, 50 * 3600);
}

TEST(Freshness, HourlyPolicyOrHourlyTimerTightensTheLimits) {
  policies::RetentionPolicy hourly;
  hourly.keep_hourly = 24;
  EXPECT_EQ(agent::freshness_for(hourly, std::nullopt).warn_after_s, 3 * 3600);
  EXPECT_EQ(agent::freshness_for(policies::RetentionPolicy{}, 3600).critical_after_s, 4 * 3600);
}

TEST(TierHealth, JudgesAgeAgainstTheThresholds) {
  const auto f = agent::freshness_for(policies::RetentionPolicy{}, std::nullopt);
  EXPECT_EQ(agent::judge_tier(fresh_record(3600), f, k_now, std::nullopt).health,
            agent::Health::ok);
  EXPECT_EQ(agent::judge_tier(fresh_record(27 * 3600), f, k_now, std::nullopt).health,
            agent::Health::warning);
  EXPECT_EQ(agent::judge_tier(fresh_record(51 * 3600), f, k_now, std::nullopt).health,
            agent::Health::critical);
}

TEST(TierHealth, FlagsABackupDatedInTheFutureAsClockSkew) {
  const auto f = agent::freshness_for(policies::RetentionPolicy{}, std::nullopt);
  const auto h = agent::judge_tier(fresh_record(-3600), f, k_now, std::nullopt);
  EXPECT_EQ(h.health, agent::Health::critical);
  ASSERT_FALSE(h.reasons.empty());
  EXPECT_NE(h.reasons.front().find("future"), std::string::npos);
}

TEST(TierHealth, NeverRunIsUnknownAndARecordWithoutErrorKindFailedAsAWarning) {
  const auto f = agent::freshness_for(policies::RetentionPolicy{}, std::nullopt);
  agent::TierRecord never;
  EXPECT_EQ(agent::judge_tier(never, f, k_now, std::nullopt).health, agent::Health::unknown);
  auto failed = fresh_record(3600);
  failed.last_run_state = agent::TierState::failed;
  failed.last_error = "wrong MongoDB username or password";  // written before error kinds
  const auto h = agent::judge_tier(failed, f, k_now, std::nullopt);
  EXPECT_EQ(h.health, agent::Health::warning);
  EXPECT_NE(h.reasons.front().find("wrong MongoDB"), std::string::npos);
}

TEST(TierHealth, AFailedRunIsCriticalWhenItsKindNeedsSomeoneToActElseAWarning) {
  using Kind = agent::TierError::Kind;
  const auto f = agent::freshness_for(policies::RetentionPolicy{}, std::nullopt);
  const std::pair<Kind, agent::Health> cases[] = {
      {Kind::access, agent::Health::critical},   {Kind::unreachable, agent::Health::warning},
      {Kind::refused, agent::Health::warning},   {Kind::invalid, agent::Health::critical},
      {Kind::local_io, agent::Health::critical}, {Kind::internal, agent::Health::critical},
  };
  for (const auto& [kind, health] : cases) {
    auto failed = fresh_record(3600);
    failed.last_run_state = agent::TierState::failed;
    failed.last_error = "it failed";
    failed.last_error_kind = kind;
    EXPECT_EQ(agent::judge_tier(failed, f, k_now, std::nullopt).health, health)
        << agent::to_string(kind);
  }
}

TEST(TierHealth, WarnsDaysAheadWhenTheStorageWillNotHoldTheNextBackups) {
  const auto f = agent::freshness_for(policies::RetentionPolicy{}, std::nullopt);
  auto in_days = [](std::optional<int> days) {
    agent::StorageProjection p;
    p.days_left = days;
    p.explanation = "storage fills";
    return p;
  };
  EXPECT_EQ(agent::judge_tier(fresh_record(3600), f, k_now, in_days(std::nullopt)).health,
            agent::Health::ok);
  EXPECT_EQ(agent::judge_tier(fresh_record(3600), f, k_now, in_days(30)).health, agent::Health::ok);
  EXPECT_EQ(agent::judge_tier(fresh_record(3600), f, k_now, in_days(10)).health,
            agent::Health::warning);
  const auto h = agent::judge_tier(fresh_record(3600), f, k_now, in_days(2));
  EXPECT_EQ(h.health, agent::Health::critical);
  EXPECT_EQ(h.reasons.back(), "storage fills");
}

TEST(StatusCheck, PrintsOneNagiosLineWithTheWorstProblemFirst) {
  agent::StatusReport report;
  report.health = agent::Health::warning;
  agent::TargetStatus t;
  t.name = "prod-cloud";
  agent::TierStatus tier;
  tier.tier = agent::TierName::mongo;
  tier.health.health = agent::Health::warning;
  tier.health.reasons = {"last run failed: boom\nINFO: task log tail\nERROR: job errors"};
  tier.health.last_success_age_s = 100;
  t.tiers.push_back(tier);
  report.targets.push_back(t);
  const std::string line = agent::render_status_check(report);
  EXPECT_EQ(line.rfind("PVE-SMOKERBAK WARNING - prod-cloud/mongo: last run failed: boom", 0), 0u)
      << line;
  EXPECT_NE(line.find("'prod-cloud/mongo_age'=100s"), std::string::npos);
  EXPECT_EQ(agent::nagios_code(report.health), 1);
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line: " << line;
}

TEST(TierHealth, TheWorstReasonComesFirst) {
  const auto f = agent::freshness_for(policies::RetentionPolicy{}, std::nullopt);
  auto r = fresh_record(3600);
  r.last_run_state = agent::TierState::failed;
  r.last_error = "vzdump of CT 106 failed: job errors";
  r.last_validation_ok = false;
  const auto h = agent::judge_tier(r, f, k_now, std::nullopt);
  EXPECT_EQ(h.health, agent::Health::critical);
  ASSERT_EQ(h.reasons.size(), 2u);
  EXPECT_EQ(h.reasons.front(), "last validation failed");
}

}  // namespace
