#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/tier/tier_record.hpp"

// Will the storage hold the next backups? A pure projection from a tier's size history (kept
// bytes after each run), the free space where its backups live, and the retention policy's
// ceiling on how many backups it keeps. `status` warns days ahead instead of on the night the
// disk fills.
//
// Model, per day t from now (t = 0..k_horizon_days):
//   backup(t) = last backup size + (its growth per day, least squares over the history) * t
//   kept(t)   = min(kept now + (kept bytes' growth per day) * t, max_kept * backup(t))
//   need(t)   = kept(t) + backup(t)      (a run writes its backup before pruning)
// The storage can give the tier `kept now + free` bytes; it "fills" on the first day need(t)
// exceeds that. Growth rates below zero count as zero (shrinking is no risk).
namespace agent {

inline constexpr int k_projection_horizon_days = 60;
inline constexpr int k_projection_warn_days = 14;
inline constexpr int k_projection_critical_days = 3;

struct StorageProjection {
  // Days until the next backups no longer fit; nullopt when they fit for the whole horizon.
  std::optional<int> days_left;
  double kept_growth_per_day = 0;    // bytes per day, >= 0
  double backup_growth_per_day = 0;  // bytes per day, >= 0
  std::string explanation;           // one sentence for status, empty when days_left is nullopt
};

// `max_kept`: the policy's most backups kept (sum of keep-* values); nullopt = unbounded
// (keep-all), then only the growth trend limits. An empty history projects nothing.
StorageProjection project_storage(const std::vector<SizeSample>& history, std::uint64_t free_bytes,
                                  std::optional<std::uint64_t> max_kept);

}  // namespace agent
