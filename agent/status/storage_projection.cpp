#include "agent/status/storage_projection.hpp"

#include <algorithm>
#include <cmath>

#include "agent/core/human_format.hpp"

namespace agent {
namespace {

constexpr double k_day_s = 86400.0;
constexpr std::int64_t k_trend_window_s = 30 * 86400;  // growth from the last 30 days

// Least-squares slope (units per day) of `value` over the samples; 0 when under three samples
// or under two days apart (too little to call a trend).
template <typename Value>
double slope_per_day(const std::vector<const SizeSample*>& samples, Value value) {
  if (samples.size() < 3) return 0;
  if (samples.back()->at - samples.front()->at < 2 * 86400) return 0;
  double mean_x = 0;
  double mean_y = 0;
  for (const auto* s : samples) {
    mean_x += static_cast<double>(s->at) / k_day_s;
    mean_y += static_cast<double>(value(*s));
  }
  mean_x /= static_cast<double>(samples.size());
  mean_y /= static_cast<double>(samples.size());
  double sxy = 0;
  double sxx = 0;
  for (const auto* s : samples) {
    const double dx = static_cast<double>(s->at) / k_day_s - mean_x;
    sxy += dx * (static_cast<double>(value(*s)) - mean_y);
    sxx += dx * dx;
  }
  return sxx > 0 ? std::max(0.0, sxy / sxx) : 0;
}

}  // namespace

StorageProjection project_storage(const std::vector<SizeSample>& history, std::uint64_t free_bytes,
                                  std::optional<std::uint64_t> max_kept) {
  StorageProjection out;
  if (history.empty()) return out;
  const SizeSample& last = history.back();
  std::vector<const SizeSample*> window;
  std::vector<const SizeSample*> with_backup;
  for (const auto& s : history) {
    if (last.at - s.at > k_trend_window_s) continue;
    window.push_back(&s);
    if (s.backup_bytes > 0) with_backup.push_back(&s);
  }
  out.kept_growth_per_day = slope_per_day(window, [](const SizeSample& s) { return s.kept_bytes; });
  out.backup_growth_per_day =
      slope_per_day(with_backup, [](const SizeSample& s) { return s.backup_bytes; });
  const double backup_now =
      with_backup.empty() ? 0.0 : static_cast<double>(with_backup.back()->backup_bytes);
  if (backup_now <= 0) return out;  // no backup size known: nothing to project

  const double kept_now = static_cast<double>(last.kept_bytes);
  const double available = kept_now + static_cast<double>(free_bytes);
  for (int day = 0; day <= k_projection_horizon_days; ++day) {
    const double backup = backup_now + out.backup_growth_per_day * day;
    double kept = kept_now + out.kept_growth_per_day * day;
    if (max_kept) kept = std::min(kept, static_cast<double>(*max_kept) * backup);
    kept = std::max(kept, kept_now);  // retention never frees what is kept today by itself
    if (kept + backup <= available) continue;
    out.days_left = day;
    const auto free_text = human_bytes(free_bytes);
    if (day == 0) {
      out.explanation = "the next backup (~" + human_bytes(static_cast<std::uint64_t>(backup)) +
                        ") does not fit in the " + free_text +
                        " free: free space or tighten retention now";
    } else {
      out.explanation =
          "at the current growth (kept backups +" +
          human_bytes(static_cast<std::uint64_t>(std::llround(out.kept_growth_per_day))) +
          "/day, each backup +" +
          human_bytes(static_cast<std::uint64_t>(std::llround(out.backup_growth_per_day))) +
          "/day) the " + free_text + " free will not hold the backups in about " +
          std::to_string(day) + " days: free space or tighten retention";
    }
    return out;
  }
  return out;
}

}  // namespace agent
