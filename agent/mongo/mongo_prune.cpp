#include "agent/mongo/mongo_prune.hpp"

#include <spdlog/spdlog.h>

#include "agent/mongo/backup_store.hpp"
#include "agent/retention/local_time.hpp"
#include "policies/retention_engine.hpp"

namespace agent::mongo {

tl::expected<std::vector<PrunePlanEntry>, std::string> plan_mongo_prune(const Config& config,
                                                                        const TargetConfig& target,
                                                                        const MongoConfig& mongo) {
  auto zone = ZoneCalendar::open(config.timezone);
  if (!zone) return tl::make_unexpected("time zone '" + config.timezone + "': " + zone.error());
  const BackupStore store(mongo.backup_dir);
  const auto backups = store.list_valid();
  std::vector<policies::BackupEntry> entries;
  for (const auto& b : backups) entries.push_back({b.id, b.manifest.started_at, false});
  const auto decisions =
      policies::mark_backups(entries, target.effective_retention(config.retention), *zone);
  const auto latest = store.latest();
  std::vector<PrunePlanEntry> plan;
  for (std::size_t i = 0; i < backups.size(); ++i) {
    PrunePlanEntry e{backups[i].id, backups[i].manifest.started_at,
                     decisions[i].mark != policies::Mark::remove, decisions[i].reason};
    if (!e.keep && latest == e.backup_id) {
      e.keep = true;
      e.reason = "keep: latest";
    }
    plan.push_back(std::move(e));
  }
  return plan;
}

TierOutcome run_mongo_prune(const Config& config, const TargetConfig& target,
                            const MongoConfig& mongo, bool dry_run) {
  TierOutcome out;
  auto plan = plan_mongo_prune(config, target, mongo);
  if (!plan) {
    out.state = TierState::failed;
    out.error = "mongo prune of " + target.name + ": " + plan.error();
    return out;
  }
  const BackupStore store(mongo.backup_dir);
  std::size_t kept = 0, removed = 0;
  for (const auto& e : *plan) {
    spdlog::info("mongo prune {}: {} {} ({})", target.name,
                 e.keep ? "keep" : (dry_run ? "would remove" : "remove"), e.backup_id, e.reason);
    if (e.keep) {
      ++kept;
      continue;
    }
    if (!dry_run) {
      if (auto err = store.remove_backup(e.backup_id)) {
        out.state = TierState::failed;
        out.error = "mongo prune of " + target.name + ": " + *err;
        return out;
      }
    }
    ++removed;
  }
  out.summary = "mongo: kept " + std::to_string(kept) + ", " +
                (dry_run ? "would remove " : "removed ") + std::to_string(removed) + " of " +
                std::to_string(plan->size()) + " valid backups";
  return out;
}

}  // namespace agent::mongo
