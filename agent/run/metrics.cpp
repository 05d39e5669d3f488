#include "agent/run/metrics.hpp"

#include <functional>
#include <optional>
#include <sstream>

#include "agent/core/atomic_file.hpp"

namespace agent {
namespace {

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

// One sample of a metric for one record: extra labels (after target and tier) and the value.
struct Sample {
  std::string labels;
  std::string value;
};
using SampleOf = std::function<std::optional<Sample>(const TierRecord&)>;

template <typename T>
std::optional<Sample> plain(T value) {
  std::ostringstream v;
  v << value;
  return Sample{"", v.str()};
}

struct Metric {
  const char* name;
  const char* help;
  const char* type;
  SampleOf sample;  // nullopt: no sample for this record
};

const std::vector<Metric>& metrics() {
  static const std::vector<Metric> k_metrics = {
      {"pve_smokerbak_last_success_timestamp_seconds",
       "Start time of the run that made the last successful backup (0 = never).", "gauge",
       [](const TierRecord& r) { return plain(r.last_success_at); }},
      {"pve_smokerbak_last_run_timestamp_seconds", "Start time of the last run.", "gauge",
       [](const TierRecord& r) { return plain(r.last_run_at); }},
      {"pve_smokerbak_last_run_success", "1 if the last run of the tier succeeded, else 0.",
       "gauge",
       [](const TierRecord& r) {
         const bool ok =
             r.last_run_state == TierState::ok || r.last_run_state == TierState::warning;
         return plain(ok ? 1 : 0);
       }},
      {"pve_smokerbak_last_run_error",
       "1, labelled with the error kind, when the last run of the tier failed (absent "
       "otherwise).",
       "gauge",
       [](const TierRecord& r) -> std::optional<Sample> {
         if (r.last_run_state != TierState::failed || !r.last_error_kind) return std::nullopt;
         return Sample{",kind=\"" + std::string(to_string(*r.last_error_kind)) + "\"", "1"};
       }},
      {"pve_smokerbak_backups", "Backups kept after the last retention pass.", "gauge",
       [](const TierRecord& r) -> std::optional<Sample> {
         if (!r.count) return std::nullopt;
         return plain(*r.count);
       }},
      {"pve_smokerbak_backup_bytes", "Bytes of the backups kept after the last retention pass.",
       "gauge",
       [](const TierRecord& r) -> std::optional<Sample> {
         if (!r.size_bytes) return std::nullopt;
         return plain(*r.size_bytes);
       }},
      {"pve_smokerbak_run_duration_seconds", "Duration of the last run of the tier.", "gauge",
       [](const TierRecord& r) { return plain(r.last_run_duration_s); }},
      {"pve_smokerbak_last_validation_success",
       "1 if the last validation of a backup passed, 0 if it failed (absent when never run).",
       "gauge",
       [](const TierRecord& r) -> std::optional<Sample> {
         if (!r.last_validation_ok) return std::nullopt;
         return plain(*r.last_validation_ok ? 1 : 0);
       }},
      {"pve_smokerbak_last_validation_state",
       "1, labelled with the state of the last backup made: ok, failed, pending (a Proxmox "
       "Backup Server has not verified it yet) or not-verifiable-here (no file this host can "
       "read); absent when unknown.",
       "gauge",
       [](const TierRecord& r) -> std::optional<Sample> {
         const Validation v = validation_of(r);
         if (v == Validation::unknown) return std::nullopt;
         return Sample{",state=\"" + std::string(to_string(v)) + "\"", "1"};
       }},
  };
  return k_metrics;
}

}  // namespace

std::string render_metrics(const std::vector<TierRecord>& records) {
  std::ostringstream out;
  for (const auto& m : metrics()) {
    out << "# HELP " << m.name << ' ' << m.help << "\n# TYPE " << m.name << ' ' << m.type << '\n';
    for (const auto& r : records) {
      const auto s = m.sample(r);
      if (!s) continue;
      out << m.name << "{target=\"" << escape_label(r.target) << "\",tier=\"" << to_string(r.tier)
          << '"' << s->labels << "} " << s->value << '\n';
    }
  }
  return out.str();
}

std::optional<std::string> write_metrics_file(const std::filesystem::path& path,
                                              const std::vector<TierRecord>& records,
                                              const std::string& extra) {
  return write_file_atomically(path, render_metrics(records) + extra, 0644);
}

}  // namespace agent
