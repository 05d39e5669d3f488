#include "agent/offsite/offsite_report.hpp"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/core/human_format.hpp"
#include "agent/core/local_time.hpp"
#include "agent/offsite/local_backups.hpp"
#include "agent/offsite/offsite_policy.hpp"
#include "agent/offsite/upload_plan.hpp"
#include "agent/tier/offsite_receipt.hpp"

namespace agent::offsite {
namespace {

constexpr std::int64_t k_slack_s = 2 * 3600;

void raise(DestinationReport& r, Level level, std::string why) {
  const auto rank = [](Level l) { return static_cast<int>(l); };
  if (rank(level) > rank(r.level)) {
    r.level = level;
    r.reasons.insert(r.reasons.begin(), std::move(why));
  } else {
    r.reasons.push_back(std::move(why));
  }
}

std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? 'n' : c;
  }
  return out;
}

}  // namespace

const char* to_string(Level level) {
  switch (level) {
    case Level::ok:
      return "ok";
    case Level::warning:
      return "warning";
    case Level::critical:
      return "critical";
  }
  return "ok";
}

std::vector<DestinationReport> destination_reports(const Config& config, std::int64_t now,
                                                   std::optional<std::int64_t> interval_s) {
  std::vector<DestinationReport> out;
  auto zone = ZoneCalendar::open(config.timezone);
  for (const auto& d : config.offsite.destinations) {
    DestinationReport r;
    r.name = d.name;
    r.bucket = d.bucket;
    r.endpoint = d.endpoint;
    r.lock = to_string(d.lock);
    r.state = load_destination_state(config.state_dir, d.name);
    for (const auto& t : config.targets) {
      TargetCopies c;
      c.target = t.name;
      for (const TierName tier : {TierName::vzdump, TierName::mongo}) {
        for (const auto& rec : read_all_offsite_receipts(config.state_dir, t.name, tier)) {
          const auto* copy = rec.find(d.name);
          if (!copy) continue;
          ++c.copies;
          c.bytes += copy->size;
          if (rec.ctime >= c.newest_ctime) {
            c.newest_ctime = rec.ctime;
            c.newest_backup = rec.backup_id;
          }
          if (copy->retain_until > now) {
            ++c.locked;
            if (c.earliest_retain_until == 0 || copy->retain_until < c.earliest_retain_until) {
              c.earliest_retain_until = copy->retain_until;
            }
          }
        }
      }
      if (zone) {
        for (const auto& u : plan_uploads(config, t, d, local_backups(config, t), *zone)) {
          ++c.lag;
          if (c.oldest_pending_ctime == 0 || u.backup.ctime < c.oldest_pending_ctime) {
            c.oldest_pending_ctime = u.backup.ctime;
          }
        }
      }
      const std::int64_t interval =
          interval_s && *interval_s > 0
              ? *interval_s
              : backup_interval_s(t.effective_retention(config.retention));
      if (c.oldest_pending_ctime > 0) {
        const std::int64_t age = now - c.oldest_pending_ctime;
        const std::string why = t.name + ": " + std::to_string(c.lag) +
                                " backup(s) not yet off-site on " + d.name + ", the oldest " +
                                human_duration(std::max<std::int64_t>(0, age)) + " old";
        if (age > 2 * interval + k_slack_s) {
          raise(r, Level::critical,
                why + " (critical after " + human_duration(2 * interval + k_slack_s) + ")");
        } else if (age > interval + k_slack_s) {
          raise(r, Level::warning,
                why + " (warning after " + human_duration(interval + k_slack_s) + ")");
        }
      }
      r.targets.push_back(std::move(c));
    }
    if (!r.state.last_error.empty()) {
      const bool act = r.state.last_error_kind == "access" ||
                       r.state.last_error_kind == "local_io" ||
                       r.state.last_error_kind == "internal";
      raise(r, act ? Level::critical : Level::warning, "last upload failed: " + r.state.last_error);
    }
    if (r.state.last_verify_ok && !*r.state.last_verify_ok) {
      raise(r, Level::critical,
            "last off-site verification failed: " + r.state.last_verify_problem);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string render_reports_table(const std::vector<DestinationReport>& reports, std::int64_t now) {
  if (reports.empty()) return {};
  std::ostringstream out;
  out << "\nOff-site destinations:\n";
  for (const auto& r : reports) {
    out << "  " << r.name << " (" << r.bucket << " at " << r.endpoint << ", lock " << r.lock
        << "): " << to_string(r.level) << "\n";
    for (const auto& t : r.targets) {
      out << "    " << t.target << ": " << t.copies << " copies, " << human_bytes(t.bytes);
      if (t.newest_ctime > 0) {
        out << ", newest " << rfc3339_utc(t.newest_ctime) << " ("
            << human_duration(std::max<std::int64_t>(0, now - t.newest_ctime)) << " old)";
      }
      out << ", lag " << t.lag;
      if (t.locked > 0) {
        out << ", " << t.locked << " locked (earliest until "
            << rfc3339_utc(t.earliest_retain_until) << ")";
      }
      out << "\n";
    }
    if (r.state.last_verified_at > 0) {
      out << "    last verification: " << rfc3339_utc(r.state.last_verified_at) << " "
          << (r.state.last_verify_ok.value_or(false) ? "ok" : "FAILED") << " ("
          << r.state.last_verified_count << " copies)\n";
    } else {
      out << "    last verification: never (pve-smokerbak validate --offsite)\n";
    }
    for (const auto& why : r.reasons) out << "    ! " << why << "\n";
  }
  return out.str();
}

std::string render_reports_json(const std::vector<DestinationReport>& reports) {
  auto all = nlohmann::ordered_json::array();
  for (const auto& r : reports) {
    auto targets = nlohmann::ordered_json::array();
    for (const auto& t : r.targets) {
      targets.push_back({{"target", t.target},
                         {"copies", t.copies},
                         {"bytes", t.bytes},
                         {"newest_backup", t.newest_backup},
                         {"newest_ctime", t.newest_ctime},
                         {"lag", t.lag},
                         {"oldest_pending_ctime", t.oldest_pending_ctime},
                         {"locked", t.locked},
                         {"earliest_retain_until", t.earliest_retain_until}});
    }
    nlohmann::ordered_json j = {
        {"name", r.name},
        {"bucket", r.bucket},
        {"endpoint", r.endpoint},
        {"lock", r.lock},
        {"state", to_string(r.level)},
        {"reasons", r.reasons},
        {"last_success_at", r.state.last_success_at},
        {"last_error", r.state.last_error},
        {"last_upload_seconds", r.state.last_upload_seconds},
        {"last_verified_at", r.state.last_verified_at},
        {"last_verify_ok", r.state.last_verify_ok ? nlohmann::ordered_json(*r.state.last_verify_ok)
                                                  : nlohmann::ordered_json()},
        {"last_verified_count", r.state.last_verified_count},
        {"last_verify_problem", r.state.last_verify_problem},
        {"pending_deletes", r.state.pending_deletes},
        {"targets", targets}};
    all.push_back(std::move(j));
  }
  return all.dump();
}

std::string render_metrics(const std::vector<DestinationReport>& reports) {
  if (reports.empty()) return {};
  std::ostringstream out;
  struct M {
    const char* name;
    const char* help;
  };
  const M metrics[] = {
      {"pve_smokerbak_offsite_last_success_timestamp_seconds",
       "Start time of the last run whose uploads to the destination all succeeded (0 = never)."},
      {"pve_smokerbak_offsite_lag_backups",
       "Validated local backups the policy keeps that are not yet on the destination."},
      {"pve_smokerbak_offsite_stored_bytes", "Encrypted bytes of the target's copies stored."},
      {"pve_smokerbak_offsite_copies", "Copies of the target's backups on the destination."},
      {"pve_smokerbak_offsite_upload_duration_seconds",
       "Duration of the last run's uploads to the destination."},
      {"pve_smokerbak_offsite_last_verification_success",
       "1 if the last validate --offsite of the destination passed, 0 if it failed."},
  };
  for (const auto& m : metrics) {
    out << "# HELP " << m.name << ' ' << m.help << "\n# TYPE " << m.name << " gauge\n";
    const std::string name = m.name;
    for (const auto& r : reports) {
      const std::string dest = "destination=\"" + label(r.name) + "\"";
      if (name == "pve_smokerbak_offsite_last_success_timestamp_seconds") {
        out << name << '{' << dest << "} " << r.state.last_success_at << '\n';
      } else if (name == "pve_smokerbak_offsite_upload_duration_seconds") {
        out << name << '{' << dest << "} " << r.state.last_upload_seconds << '\n';
      } else if (name == "pve_smokerbak_offsite_last_verification_success") {
        if (r.state.last_verify_ok) {
          out << name << '{' << dest << "} " << (*r.state.last_verify_ok ? 1 : 0) << '\n';
        }
      } else {
        for (const auto& t : r.targets) {
          const std::uint64_t v = name == "pve_smokerbak_offsite_lag_backups"    ? t.lag
                                  : name == "pve_smokerbak_offsite_stored_bytes" ? t.bytes
                                                                                 : t.copies;
          out << name << '{' << dest << ",target=\"" << label(t.target) << "\"} " << v << '\n';
        }
      }
    }
  }
  return out.str();
}

}  // namespace agent::offsite
