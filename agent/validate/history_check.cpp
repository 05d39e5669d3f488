#include "agent/validate/history_check.hpp"

#include <string>

#include "agent/core/human_format.hpp"

namespace agent::validate {

namespace {

// True when `now_value` is more than `percent` below `before`.
bool shrank(std::uint64_t before, std::uint64_t now_value, int percent) {
  return static_cast<long double>(now_value) * 100.0L <
         static_cast<long double>(before) * static_cast<long double>(100 - percent);
}

std::string pct(std::uint64_t before, std::uint64_t now_value) {
  const long double drop =
      100.0L - static_cast<long double>(now_value) * 100.0L / static_cast<long double>(before);
  return std::to_string(static_cast<int>(drop)) + "%";
}

void shrink_warnings(BackupCheck& cur, const BackupCheck& prev, int percent) {
  if (cur.form == prev.form && prev.size > 0 && shrank(prev.size, cur.size, percent)) {
    cur.warnings.push_back("size " + std::to_string(cur.size) + " bytes is " +
                           pct(prev.size, cur.size) + " smaller than " + prev.id + " (" +
                           std::to_string(prev.size) + " bytes); check that no data was lost");
  }
  for (const auto& [ns, before] : prev.collections) {
    if (before == 0) continue;
    const auto it = cur.collections.find(ns);
    const std::uint64_t n = it == cur.collections.end() ? 0 : it->second;
    if (shrank(before, n, percent)) {
      cur.warnings.push_back("collection " + ns + " has " + std::to_string(n) + " documents, " +
                             pct(before, n) + " fewer than " + prev.id + " (" +
                             std::to_string(before) + ")");
    }
  }
}

}  // namespace

void apply_history_checks(std::vector<BackupCheck>& checks, std::int64_t now,
                          int shrink_warn_percent) {
  const BackupCheck* previous_valid = nullptr;
  for (auto& c : checks) {
    if (c.started_at && *c.started_at > now + k_future_tolerance_s) {
      c.errors.push_back("backup time " + rfc3339_utc(*c.started_at) + " is in the future (now " +
                         rfc3339_utc(now) + "): the manifest or a clock is wrong");
      c.valid = false;
    }
    if (c.valid && previous_valid && shrink_warn_percent > 0) {
      shrink_warnings(c, *previous_valid, shrink_warn_percent);
    }
    if (c.valid) previous_valid = &c;
  }
}

}  // namespace agent::validate
