#include "agent/run/metrics.hpp"

#include <sstream>

#include "agent/core/atomic_file.hpp"

namespace agent {
namespace {

struct Metric {
  const char* name;
  const char* help;
  const char* type;
};

constexpr Metric k_metrics[] = {
    {"pve_smokerbak_last_success_timestamp_seconds",
     "Start time of the run that made the last successful backup (0 = never).", "gauge"},
    {"pve_smokerbak_last_run_timestamp_seconds", "Start time of the last run.", "gauge"},
    {"pve_smokerbak_last_run_success", "1 if the last run of the tier succeeded, else 0.", "gauge"},
    {"pve_smokerbak_backups", "Backups kept after the last retention pass.", "gauge"},
    {"pve_smokerbak_backup_bytes", "Bytes of the backups kept after the last retention pass.",
     "gauge"},
    {"pve_smokerbak_run_duration_seconds", "Duration of the last run of the tier.", "gauge"},
    {"pve_smokerbak_last_validation_success",
     "1 if the last validation of a backup passed, 0 if it failed (absent when never run).",
     "gauge"},
};

std::string escape_label(const std::string& v) {
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

}  // namespace

std::string render_metrics(const std::vector<TierRecord>& records) {
  std::ostringstream out;
  for (const auto& m : k_metrics) {
    out << "# HELP " << m.name << ' ' << m.help << "\n# TYPE " << m.name << ' ' << m.type << '\n';
    const std::string name = m.name;
    for (const auto& r : records) {
      const std::string labels =
          "{target=\"" + escape_label(r.target) + "\",tier=\"" + escape_label(r.tier) + "\"}";
      if (name == "pve_smokerbak_last_success_timestamp_seconds") {
        out << name << labels << ' ' << r.last_success_at << '\n';
      } else if (name == "pve_smokerbak_last_run_timestamp_seconds") {
        out << name << labels << ' ' << r.last_run_at << '\n';
      } else if (name == "pve_smokerbak_last_run_success") {
        const bool ok = r.last_run_state == "ok" || r.last_run_state == "warning";
        out << name << labels << ' ' << (ok ? 1 : 0) << '\n';
      } else if (name == "pve_smokerbak_backups") {
        if (r.count) out << name << labels << ' ' << *r.count << '\n';
      } else if (name == "pve_smokerbak_backup_bytes") {
        if (r.size_bytes) out << name << labels << ' ' << *r.size_bytes << '\n';
      } else if (name == "pve_smokerbak_run_duration_seconds") {
        out << name << labels << ' ' << r.last_run_duration_s << '\n';
      } else if (name == "pve_smokerbak_last_validation_success") {
        if (r.last_validation_ok)
          out << name << labels << ' ' << (*r.last_validation_ok ? 1 : 0) << '\n';
      }
    }
  }
  return out.str();
}

std::optional<std::string> write_metrics_file(const std::filesystem::path& path,
                                              const std::vector<TierRecord>& records) {
  return write_file_atomically(path, render_metrics(records), 0644);
}

}  // namespace agent
