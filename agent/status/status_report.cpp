#include "agent/status/status_report.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/core/human_format.hpp"

namespace agent {
namespace {

std::optional<std::uint64_t> free_bytes_at(const std::filesystem::path& dir) {
  struct statvfs s {};
  if (dir.empty() || ::statvfs(dir.c_str(), &s) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(s.f_bavail) * s.f_frsize;
}

// The policy's ceiling on kept backups (sum of keep-* values); nullopt for keep-all.
std::optional<std::uint64_t> max_kept_of(const policies::RetentionPolicy& p) {
  if (p.keep_all) return std::nullopt;
  std::uint64_t sum = 0;
  for (const auto& v :
       {p.keep_last, p.keep_hourly, p.keep_daily, p.keep_weekly, p.keep_monthly, p.keep_yearly}) {
    if (v && *v > 0) sum += static_cast<std::uint64_t>(*v);
  }
  return sum;
}

// Where the tier's backups live on this host (the tier says: Tier::local_storage).
std::optional<StorageProjection> storage_projection(const Config& config, const Tier& tier,
                                                    const TargetConfig& target,
                                                    const TierRecord& record,
                                                    std::optional<std::uint64_t>& free) {
  const auto dir = tier.local_storage(target, record);
  free = dir ? free_bytes_at(*dir) : std::nullopt;
  if (!free) return std::nullopt;
  std::vector<SizeSample> history = record.size_history;
  if (history.empty() && record.last_success_bytes > 0) {
    // Records from before the size history: project from the last known sizes alone.
    history.push_back(
        {record.last_success_at, record.size_bytes.value_or(0), record.last_success_bytes});
  }
  return project_storage(history, *free, max_kept_of(target.effective_retention(config.retention)));
}

std::string utc_text(std::int64_t epoch) {
  return epoch == 0 ? "never" : format_utc(epoch, "%Y-%m-%d %H:%M UTC");
}

std::string human_age(std::optional<std::int64_t> s) {
  if (!s) return "-";
  return *s < 0 ? "in " + human_duration(*s) : human_duration(*s);
}

// The VALID column: "ok", "FAILED", "pending" (PBS has not verified it yet), "not here"
// (this host cannot read it), "-".
const char* validation_text(Validation v) {
  switch (v) {
    case Validation::ok:
      return "ok";
    case Validation::failed:
      return "FAILED";
    case Validation::pending:
      return "pending";
    case Validation::not_verifiable:
      return "not here";
    case Validation::unknown:
      break;
  }
  return "-";
}

std::string kept_text(const TierRecord& r) {
  std::string out;
  for (const auto& [rule, n] : r.kept_per_rule) {  // in the order Proxmox applies the rules
    if (!out.empty()) out += ", ";
    out += std::string(policies::to_string(rule)) + " " + std::to_string(n);
  }
  return out.empty() ? "-" : out;
}

nlohmann::json drill_status_json(const DrillStatus& d) {
  auto history = nlohmann::json::array();
  for (const auto& r : d.history) history.push_back(nlohmann::json::parse(to_json_text(r)));
  return {{"last", d.last ? nlohmann::json::parse(to_json_text(*d.last)) : nlohmann::json(nullptr)},
          {"due_at", rfc3339_utc(d.schedule.due_at)},
          {"overdue_at", rfc3339_utc(d.schedule.overdue_at)},
          {"history", history}};
}

// The tier's drills (drill_status.hpp): their reasons after the tier's own.
void apply_drill_status(const Config& config, const TargetConfig& target, TierStatus& tst,
                        std::int64_t now) {
  tst.drill = judge_drills(config, target, tst.tier, now);
  if (!tst.drill) return;
  tst.health.health = worst(tst.health.health, tst.drill->health);
  for (const auto& r : tst.drill->reasons) tst.health.reasons.push_back(r);
}

}  // namespace

StatusReport build_status(const Config& config, const TierSet& tiers, std::int64_t now,
                          const StatusFacts& facts) {
  StatusReport report;
  report.generated_at = now;
  report.next_run = facts.next_run;
  if (config.targets.empty()) report.health = Health::unknown;
  for (const auto& target : config.targets) {
    TargetStatus ts;
    ts.name = target.name;
    ts.vmid = target.vmid;
    const auto& policy = target.effective_retention(config.retention);
    for (const auto& tier : tiers.all()) {
      if (!tier->configured(target)) continue;
      TierStatus tst;
      tst.tier = tier->name();
      tst.record = load_tier_record(config.state_dir, target.name, tst.tier);
      tst.freshness = freshness_for(policy, facts.timer_interval_s);
      tst.storage = storage_projection(config, *tier, target, tst.record, tst.free_bytes);
      tst.health = judge_tier(tst.record, tst.freshness, now, tst.storage);
      apply_drill_status(config, target, tst, now);
      if (auto it = facts.unreachable.find(tst.tier); it != facts.unreachable.end()) {
        tst.health.health = Health::unknown;
        tst.health.reasons.insert(tst.health.reasons.begin(),
                                  it->second.message + "; showing the last local facts");
      }
      ts.health = worst(ts.health, tst.health.health);
      ts.tiers.push_back(std::move(tst));
    }
    report.health = worst(report.health, ts.health);
    report.targets.push_back(std::move(ts));
  }
  return report;
}

std::string render_status_table(const StatusReport& report) {
  std::ostringstream out;
  out << std::left << std::setw(14) << "TARGET" << std::setw(8) << "TIER" << std::setw(10)
      << "STATE" << std::setw(22) << "LAST SUCCESS" << std::setw(9) << "AGE" << std::setw(9)
      << "LAST RUN" << std::setw(7) << "COUNT" << std::setw(11) << "SIZE" << std::setw(10)
      << "VALID"
      << "KEPT\n";
  for (const auto& t : report.targets) {
    for (const auto& tier : t.tiers) {
      const auto& r = tier.record;
      out << std::left << std::setw(14) << t.name << std::setw(8) << to_string(tier.tier)
          << std::setw(10) << to_string(tier.health.health) << std::setw(22)
          << utc_text(r.last_success_at) << std::setw(9)
          << human_age(tier.health.last_success_age_s) << std::setw(9)
          << (r.last_run_state ? to_string(*r.last_run_state) : "-") << std::setw(7)
          << (r.count ? std::to_string(*r.count) : "-") << std::setw(11)
          << (r.size_bytes ? human_bytes(*r.size_bytes) : "-") << std::setw(10)
          << validation_text(validation_of(r)) << kept_text(r) << "\n";
      if (tier.drill) out << "  drill: " << drill_summary_text(*tier.drill) << "\n";
    }
  }
  bool any_reason = false;
  for (const auto& t : report.targets) {
    for (const auto& tier : t.tiers) {
      for (const auto& why : tier.health.reasons) {
        if (!any_reason) out << "\n";
        any_reason = true;
        out << "  " << to_string(tier.health.health) << ": " << t.name << "/"
            << to_string(tier.tier) << ": " << why << "\n";
      }
    }
  }
  out << "\nOverall: " << to_string(report.health);
  if (report.next_run) out << "    next scheduled run: " << *report.next_run;
  out << "\n";
  return out.str();
}

std::string render_status_json(const StatusReport& report) {
  nlohmann::json j;
  j["state"] = to_string(report.health);
  j["generated_at"] = rfc3339_utc(report.generated_at);
  j["next_run"] = report.next_run ? nlohmann::json(*report.next_run) : nlohmann::json(nullptr);
  j["targets"] = nlohmann::json::array();
  for (const auto& t : report.targets) {
    nlohmann::json tj = {{"name", t.name}, {"vmid", t.vmid}, {"state", to_string(t.health)}};
    tj["tiers"] = nlohmann::json::object();
    for (const auto& tier : t.tiers) {
      const auto& r = tier.record;
      nlohmann::json x;
      x["state"] = to_string(tier.health.health);
      x["last_success"] = r.last_success_at ? nlohmann::json(rfc3339_utc(r.last_success_at))
                                            : nlohmann::json(nullptr);
      x["last_success_age_s"] = tier.health.last_success_age_s
                                    ? nlohmann::json(*tier.health.last_success_age_s)
                                    : nlohmann::json(nullptr);
      x["last_success_backup"] = r.last_success_backup_id.empty()
                                     ? nlohmann::json(nullptr)
                                     : nlohmann::json(r.last_success_backup_id);
      x["count"] = r.count ? nlohmann::json(*r.count) : nlohmann::json(nullptr);
      x["size_bytes"] = r.size_bytes ? nlohmann::json(*r.size_bytes) : nlohmann::json(nullptr);
      x["last_error"] =
          r.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.last_error);
      x["last_error_kind"] = r.last_error_kind ? nlohmann::json(to_string(*r.last_error_kind))
                                               : nlohmann::json(nullptr);
      x["last_run"] = {{"run_id", r.last_run_id},
                       {"at", r.last_run_at ? nlohmann::json(rfc3339_utc(r.last_run_at))
                                            : nlohmann::json(nullptr)},
                       {"state", r.last_run_state ? to_string(*r.last_run_state) : ""},
                       {"summary", r.last_run_summary},
                       {"duration_s", r.last_run_duration_s},
                       {"warnings", r.warnings}};
      x["kept_per_rule"] = kept_per_rule_words(r.kept_per_rule);
      const Validation v = validation_of(r);
      x["validation"] =
          v == Validation::unknown ? nlohmann::json(nullptr) : nlohmann::json(to_string(v));
      x["reasons"] = tier.health.reasons;
      if (tier.free_bytes) {
        nlohmann::json st = {{"free_bytes", *tier.free_bytes}, {"days_left", nullptr}};
        if (tier.storage) {
          if (tier.storage->days_left) st["days_left"] = *tier.storage->days_left;
          st["kept_growth_bytes_per_day"] = std::llround(tier.storage->kept_growth_per_day);
          st["backup_growth_bytes_per_day"] = std::llround(tier.storage->backup_growth_per_day);
        }
        x["storage"] = std::move(st);
      } else {
        x["storage"] = nullptr;
      }
      x["thresholds"] = {{"warn_after_s", tier.freshness.warn_after_s},
                         {"critical_after_s", tier.freshness.critical_after_s}};
      x["drill"] = tier.drill ? drill_status_json(*tier.drill) : nlohmann::json(nullptr);
      tj["tiers"][to_string(tier.tier)] = x;
    }
    j["targets"].push_back(tj);
  }
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_status_check(const StatusReport& report) {
  std::string line = "PVE-SMOKERBAK ";
  std::string upper = to_string(report.health);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  line += upper + " - ";
  std::string details;
  std::string perf;
  for (const auto& t : report.targets) {
    for (const auto& tier : t.tiers) {
      const std::string name = t.name + "/" + to_string(tier.tier);
      if (tier.health.health != Health::ok) {
        if (!details.empty()) details += "; ";
        // One line for the monitoring system: a reason's first line (a failed task's error
        // carries the task log's tail on the lines after it).
        const std::string reason = tier.health.reasons.empty()
                                       ? std::string(to_string(tier.health.health))
                                       : tier.health.reasons.front();
        std::string text = reason.substr(0, reason.find_first_of("\r\n"));
        std::replace(text.begin(), text.end(), '|', '/');  // "|" starts the perf data
        details += name + ": " + text;
      }
      if (tier.health.last_success_age_s) {
        perf += " '" + name + "_age'=" + std::to_string(*tier.health.last_success_age_s) + "s;" +
                std::to_string(tier.freshness.warn_after_s) + ";" +
                std::to_string(tier.freshness.critical_after_s);
      }
    }
  }
  if (details.empty()) {
    std::size_t n = 0;
    for (const auto& t : report.targets) n += t.tiers.size();
    details = n == 0 ? "no targets configured" : std::to_string(n) + " tier(s) fresh and valid";
  }
  return line + details + (perf.empty() ? "" : " |" + perf);
}

}  // namespace agent
