#include "agent/run/drill_metrics.hpp"

#include <sstream>

#include "agent/run/metrics.hpp"
#include "agent/tier/drill_record.hpp"

namespace agent {
namespace {

std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

bool drilled(const TargetConfig& t, TierName tier) {
  if (!t.drill) return false;
  return tier == TierName::vzdump ? t.drill->vzdump && t.vzdump : t.drill->mongo && t.mongo;
}

}  // namespace

std::string render_drill_metrics(const Config& config) {
  std::ostringstream last_ok, last_result, duration;
  for (const auto& t : config.targets) {
    for (TierName tier : {TierName::vzdump, TierName::mongo}) {
      if (!drilled(t, tier)) continue;
      const auto history = load_drill_history(config.state_dir, t.name, tier);
      const std::string labels =
          "target=\"" + label(t.name) + "\",tier=\"" + std::string(to_string(tier)) + "\"";
      const auto ok = last_successful_drill(history);
      last_ok << "pve_smokerbak_drill_last_success_timestamp_seconds{" << labels << "} "
              << (ok ? ok->started_at : 0) << "\n";
      const auto last = last_drill(history);
      if (!last) continue;
      last_result << "pve_smokerbak_drill_last_success{" << labels << "} " << (last->ok ? 1 : 0)
                  << "\n";
      for (const auto& s : last->steps) {
        duration << "pve_smokerbak_drill_duration_seconds{" << labels << ",step=\"" << label(s.name)
                 << "\"} " << s.seconds << "\n";
      }
      duration << "pve_smokerbak_drill_duration_seconds{" << labels << ",step=\"rto\"} "
               << last->rto_s << "\n";
    }
  }
  if (last_ok.str().empty()) return "";
  return "# HELP pve_smokerbak_drill_last_success_timestamp_seconds Start time of the last "
         "restore drill that verified its copy (0 = never).\n"
         "# TYPE pve_smokerbak_drill_last_success_timestamp_seconds gauge\n" +
         last_ok.str() +
         "# HELP pve_smokerbak_drill_last_success 1 if the last restore drill verified its copy, "
         "else 0.\n# TYPE pve_smokerbak_drill_last_success gauge\n" +
         last_result.str() +
         "# HELP pve_smokerbak_drill_duration_seconds Duration of each step of the last restore "
         "drill; step=\"rto\" is the time to a verified copy.\n"
         "# TYPE pve_smokerbak_drill_duration_seconds gauge\n" +
         duration.str();
}

std::optional<std::string> refresh_metrics_file(const Config& config, const TierSet& tiers) {
  std::vector<TierRecord> all;
  for (const auto& t : config.targets) {
    for (const auto& tier : tiers.all()) {
      if (tier->configured(t))
        all.push_back(load_tier_record(config.state_dir, t.name, tier->name()));
    }
  }
  return write_metrics_file(config.metrics_file, all, render_drill_metrics(config));
}

}  // namespace agent
