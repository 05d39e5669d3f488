#include "agent/offsite/offsite_policy.hpp"

#include <algorithm>

#include "policies/civil_time.hpp"

namespace agent::offsite {
namespace {

constexpr std::int64_t k_day = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::int64_t local_epoch(const ZoneCalendar& calendar, std::int64_t days, int hour) {
  const auto d = policies::civil_from_days(days);
  policies::CivilTime t{d.year, d.month, d.day, hour, 0, 0};
  auto e = calendar.to_epoch(t);
  return e ? *e : policies::epoch_from_utc(t);
}

// The start of the period `n` periods after the one holding `ctime`.
std::int64_t period_start_after(policies::Rule rule, std::int64_t ctime, std::int64_t n,
                                const ZoneCalendar& calendar) {
  const auto c = calendar.civil(ctime);
  const std::int64_t days = policies::days_from_civil(c.year, c.month, c.day);
  switch (rule) {
    case policies::Rule::hourly: {
      const std::int64_t hours = days * 24 + c.hour + n;
      return local_epoch(calendar, floor_div(hours, 24),
                         static_cast<int>(hours - floor_div(hours, 24) * 24));
    }
    case policies::Rule::daily:
      return local_epoch(calendar, days + n, 0);
    case policies::Rule::weekly: {
      // 1970-01-01 was a Thursday: (days + 3) mod 7 is the days since Monday.
      const std::int64_t since_monday = days + 3 - floor_div(days + 3, 7) * 7;
      return local_epoch(calendar, days - since_monday + 7 * n, 0);
    }
    case policies::Rule::monthly: {
      const std::int64_t months = std::int64_t{c.year} * 12 + (c.month - 1) + n;
      const auto y = floor_div(months, 12);
      const int m = static_cast<int>(months - y * 12) + 1;
      return local_epoch(calendar, policies::days_from_civil(y, m, 1), 0);
    }
    case policies::Rule::yearly:
      return local_epoch(calendar, policies::days_from_civil(c.year + n, 1, 1), 0);
    case policies::Rule::last:
      break;
  }
  return ctime;
}

std::int64_t count_of(const policies::RetentionPolicy& p, policies::Rule rule) {
  switch (rule) {
    case policies::Rule::last:
      return p.keep_last.value_or(0);
    case policies::Rule::hourly:
      return p.keep_hourly.value_or(0);
    case policies::Rule::daily:
      return p.keep_daily.value_or(0);
    case policies::Rule::weekly:
      return p.keep_weekly.value_or(0);
    case policies::Rule::monthly:
      return p.keep_monthly.value_or(0);
    case policies::Rule::yearly:
      return p.keep_yearly.value_or(0);
  }
  return 0;
}

}  // namespace

const policies::RetentionPolicy& offsite_policy(const Config& config, const TargetConfig& target,
                                                const OffsiteDestination& destination) {
  if (destination.retention) return *destination.retention;
  return target.effective_retention(config.retention);
}

std::int64_t backup_interval_s(const policies::RetentionPolicy& policy) {
  return !policy.keep_all && policy.keep_hourly.value_or(0) > 0 ? 3600 : k_day;
}

LockPlan lock_plan(const policies::Decision& decision, std::int64_t ctime,
                   const policies::RetentionPolicy& policy, const ZoneCalendar& calendar,
                   std::int64_t now) {
  const std::int64_t interval = backup_interval_s(policy);
  LockPlan plan;
  if (decision.rules.empty()) {  // keep-all (or no rule: kept as everything is)
    plan.required = now + 30 * k_day;
    plan.extend_to = now + 365 * k_day;
  } else {
    const policies::Rule rule = decision.rules.front();
    const std::int64_t n = std::max<std::int64_t>(1, count_of(policy, rule));
    const std::int64_t let_go = rule == policies::Rule::last
                                    ? ctime + n * interval
                                    : period_start_after(rule, ctime, n, calendar);
    plan.required = plan.extend_to = let_go + interval;
  }
  plan.required = std::max(plan.required, now + interval);
  plan.extend_to = std::max(plan.extend_to, plan.required);
  return plan;
}

}  // namespace agent::offsite
