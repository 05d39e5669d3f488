#include "agent/offsite/upload_plan.hpp"

#include <algorithm>

#include "agent/offsite/offsite_policy.hpp"
#include "agent/tier/offsite_receipt.hpp"

namespace agent::offsite {

std::vector<PlannedUpload> plan_uploads(const Config& config, const TargetConfig& target,
                                        const OffsiteDestination& destination,
                                        const std::vector<LocalBackup>& backups,
                                        const ZoneCalendar& calendar) {
  std::vector<PlannedUpload> out;
  const auto& policy = offsite_policy(config, target, destination);
  for (const TierName tier : {TierName::vzdump, TierName::mongo}) {
    std::vector<policies::BackupEntry> entries;
    std::vector<const LocalBackup*> candidates;  // parallel to the tail of `entries`
    for (const auto& r : read_all_offsite_receipts(config.state_dir, target.name, tier)) {
      if (r.find(destination.name)) entries.push_back({r.backup_id, r.ctime, false});
    }
    const std::size_t first_candidate = entries.size();
    for (const auto& b : backups) {
      if (b.tier != tier || !b.eligible) continue;
      const auto r = read_offsite_receipts(config.state_dir, target.name, tier, b.id);
      if (r && r->find(destination.name)) continue;
      entries.push_back({b.id, b.ctime, false});
      candidates.push_back(&b);
    }
    if (candidates.empty()) continue;
    const auto decisions = policies::mark_backups(entries, policy, calendar);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto& d = decisions[first_candidate + i];
      if (d.mark == policies::Mark::keep) out.push_back({*candidates[i], d});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.backup.ctime > b.backup.ctime; });
  return out;
}

}  // namespace agent::offsite
