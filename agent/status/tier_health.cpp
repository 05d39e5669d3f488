#include "agent/status/tier_health.hpp"

#include <algorithm>
#include <cstdio>

#include "agent/core/human_format.hpp"

namespace agent {
namespace {

constexpr std::int64_t k_slack_s = 2 * 3600;
constexpr std::int64_t k_skew_tolerance_s = 300;

}  // namespace

const char* to_string(Health h) {
  switch (h) {
    case Health::ok:
      return "ok";
    case Health::warning:
      return "warning";
    case Health::critical:
      return "critical";
    case Health::unknown:
      return "unknown";
  }
  return "unknown";
}

int nagios_code(Health h) {
  switch (h) {
    case Health::ok:
      return 0;
    case Health::warning:
      return 1;
    case Health::critical:
      return 2;
    case Health::unknown:
      return 3;
  }
  return 3;
}

Health worst(Health a, Health b) {
  auto rank = [](Health h) {
    switch (h) {
      case Health::ok:
        return 0;
      case Health::warning:
        return 1;
      case Health::unknown:
        return 2;
      case Health::critical:
        return 3;
    }
    return 2;
  };
  return rank(a) >= rank(b) ? a : b;
}

Freshness freshness_for(const policies::RetentionPolicy& policy,
                        std::optional<std::int64_t> timer_interval_s) {
  Freshness f;
  if (timer_interval_s && *timer_interval_s > 0) {
    f.interval_s = *timer_interval_s;
  } else if (!policy.keep_all && policy.keep_hourly.value_or(0) > 0) {
    f.interval_s = 3600;
  } else {
    f.interval_s = 86400;
  }
  f.warn_after_s = f.interval_s + k_slack_s;
  f.critical_after_s = 2 * f.interval_s + k_slack_s;
  return f;
}

TierHealth judge_tier(const TierRecord& record, const Freshness& freshness, std::int64_t now,
                      const std::optional<StorageProjection>& storage) {
  TierHealth out;
  if (record.last_run_id.empty() && record.last_success_at == 0) {
    out.health = Health::unknown;
    out.reasons.push_back("no run recorded yet: run `pve-smokerbak run` or wait for the timer");
    return out;
  }
  out.health = Health::ok;
  // The reasons stay ordered worst first: `status --check` shows the first one.
  auto raise = [&](Health h, std::string why) {
    const bool worse = h != out.health && worst(out.health, h) == h;
    out.health = worst(out.health, h);
    if (worse) {
      out.reasons.insert(out.reasons.begin(), std::move(why));
    } else {
      out.reasons.push_back(std::move(why));
    }
  };
  if (record.last_success_at == 0) {
    raise(Health::critical, "no successful backup yet");
  } else {
    const std::int64_t age = now - record.last_success_at;
    out.last_success_age_s = age;
    if (age < -k_skew_tolerance_s) {
      raise(Health::critical, "last successful backup is " + human_duration(-age) +
                                  " in the future: check the clock (NTP) of this host");
    } else if (age > freshness.critical_after_s) {
      raise(Health::critical, "last successful backup is " + human_duration(age) +
                                  " old (critical after " +
                                  human_duration(freshness.critical_after_s) + ")");
    } else if (age > freshness.warn_after_s) {
      raise(Health::warning, "last successful backup is " + human_duration(age) +
                                 " old (warning after " + human_duration(freshness.warn_after_s) +
                                 ")");
    }
  }
  if (record.last_run_at > now + k_skew_tolerance_s) {
    raise(Health::critical, "last run is dated in the future: check the clock of this host");
  }
  if (record.last_run_state == TierState::failed) {
    // Records of earlier versions have no kind: judged as before, a warning.
    const bool act = record.last_error_kind && needs_operator(*record.last_error_kind);
    raise(act ? Health::critical : Health::warning, "last run failed: " + record.last_error);
  }
  for (const auto& w : record.warnings) raise(Health::warning, w);
  if (record.last_validation_ok && !*record.last_validation_ok) {
    raise(Health::critical, "last validation failed");
  }
  if (storage && storage->days_left) {
    if (*storage->days_left <= k_projection_critical_days) {
      raise(Health::critical, storage->explanation);
    } else if (*storage->days_left <= k_projection_warn_days) {
      raise(Health::warning, storage->explanation);
    }
  }
  return out;
}

}  // namespace agent
