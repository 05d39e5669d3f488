#pragma once

#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/mongo/backup_store.hpp"
#include "agent/tier/tier_outcome.hpp"

namespace agent::mongo {

struct PrunePlanEntry {
  std::string backup_id;
  std::int64_t started_at = 0;
  bool keep = true;
  std::string reason;                 // from the retention engine, or "keep: latest"
  std::uint64_t bytes = 0;            // archive size from the manifest
  std::vector<policies::Rule> rules;  // rules that keep it (daily, weekly, ...)
};

// The retention plan for the valid backups of `mongo` (ctime = run start), oldest first.
// Failed and invalid attempts are not backups and take no slot; `latest` is always kept.
tl::expected<std::vector<PrunePlanEntry>, std::string> plan_mongo_prune(const Config& config,
                                                                        const TargetConfig& target,
                                                                        const MongoConfig& mongo);
// The same plan for backups the caller already listed (BackupStore::list_valid of
// mongo.backup_dir), so a listing does not read every manifest twice.
tl::expected<std::vector<PrunePlanEntry>, std::string> plan_mongo_prune(
    const Config& config, const TargetConfig& target, const MongoConfig& mongo,
    const std::vector<StoredBackup>& backups);

// Applies the plan to `target`'s mongo tier (or, when dry_run, only returns it in the outcome).
// A deletion that fails is reported and does not stop the rest.
TierOutcome prune_mongo(const Config& config, const TargetConfig& target, bool dry_run);

}  // namespace agent::mongo
