#include "agent/status/drill_status.hpp"

#include <cstdio>

#include "agent/core/human_format.hpp"

namespace agent {
namespace {

std::string secs(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.2f" : "%.1f", s);
  return buf;
}

}  // namespace

std::optional<DrillStatus> judge_drills(const Config& config, const TargetConfig& target,
                                        TierName tier, std::int64_t now) {
  if (!target.drill) return std::nullopt;
  // Drills restore the local tiers; the off-site tier has none to judge (it fell into the
  // mongo branch and was "never drilled").
  const bool on = (tier == TierName::vzdump && target.drill->vzdump.has_value()) ||
                  (tier == TierName::mongo && target.drill->mongo.has_value());
  if (!on) return std::nullopt;
  DrillStatus s;
  s.history = load_drill_history(config.state_dir, target.name, tier);
  s.last = last_drill(s.history);
  s.schedule = drill_schedule(s.history, target.drill->every_s);
  if (s.last && !s.last->ok) {
    s.health = Health::critical;
    s.reasons.push_back("the last restore drill (" + s.last->id + ") failed: " + s.last->error +
                        "; run `pve-smokerbak drill` after fixing it");
  } else if (!s.last) {
    s.health = Health::warning;
    s.reasons.push_back("no restore drill yet: run `pve-smokerbak drill`");
  } else if (now >= s.schedule.overdue_at) {
    s.health = Health::warning;
    s.reasons.push_back("the restore drill is overdue since " +
                        format_utc(s.schedule.overdue_at, "%Y-%m-%d") +
                        " (drill.every): run `pve-smokerbak drill`");
  }
  return s;
}

std::string drill_summary_text(const DrillStatus& status) {
  if (!status.last) return "never drilled";
  std::string trend;
  std::size_t shown = 0;
  for (auto it = status.history.rbegin(); it != status.history.rend() && shown < k_drill_trend;
       ++it) {
    if (!it->ok) continue;
    trend = secs(it->rto_s) + (trend.empty() ? "" : ", " + trend);
    ++shown;
  }
  std::string out = std::string(status.last->ok ? "OK" : "FAILED") + " " +
                    format_utc(status.last->started_at, "%Y-%m-%d") + ", RTO " +
                    secs(status.last->rto_s) + " s";
  if (shown > 1) out += " (trend " + trend + " s)";
  out += ", next due " + format_utc(status.schedule.due_at, "%Y-%m-%d");
  return out;
}

}  // namespace agent
