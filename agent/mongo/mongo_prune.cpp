#include "agent/mongo/mongo_prune.hpp"

#include <spdlog/spdlog.h>

#include "agent/core/local_time.hpp"
#include "agent/mongo/backup_store.hpp"
#include "policies/retention_engine.hpp"

namespace agent::mongo {

tl::expected<std::vector<PrunePlanEntry>, std::string> plan_mongo_prune(const Config& config,
                                                                        const TargetConfig& target,
                                                                        const MongoConfig& mongo) {
  return plan_mongo_prune(config, target, mongo, BackupStore(mongo.backup_dir).list_valid());
}

tl::expected<std::vector<PrunePlanEntry>, std::string> plan_mongo_prune(
    const Config& config, const TargetConfig& target, const MongoConfig& mongo,
    const std::vector<StoredBackup>& backups) {
  auto zone = ZoneCalendar::open(config.timezone);
  if (!zone) return tl::make_unexpected("time zone '" + config.timezone + "': " + zone.error());
  const BackupStore store(mongo.backup_dir);
  std::vector<policies::BackupEntry> entries;
  for (const auto& b : backups) entries.push_back({b.id, b.manifest.started_at, false});
  const auto decisions =
      policies::mark_backups(entries, target.effective_retention(config.retention), *zone);
  const auto latest = store.latest();
  std::vector<PrunePlanEntry> plan;
  for (std::size_t i = 0; i < backups.size(); ++i) {
    PrunePlanEntry e{backups[i].id,
                     backups[i].manifest.started_at,
                     decisions[i].mark != policies::Mark::remove,
                     decisions[i].reason,
                     backups[i].manifest.size,
                     {}};
    e.rules = decisions[i].rules;
    if (!e.keep && latest == e.backup_id) {
      e.keep = true;
      e.reason = "keep: latest";
    }
    plan.push_back(std::move(e));
  }
  return plan;
}

TierOutcome prune_mongo(const Config& config, const TargetConfig& target, bool dry_run) {
  const MongoConfig& mongo = *target.mongo;
  TierOutcome out;
  auto plan = plan_mongo_prune(config, target, mongo);
  if (!plan) {
    return failed_outcome(
        {TierError::Kind::local_io, "mongo prune of " + target.name + ": " + plan.error()});
  }
  out.plan =
      PrunePlan{"mongo prune plan for " + target.name + " (" + mongo.backup_dir.string() + ")", {}};
  const BackupStore store(mongo.backup_dir);
  std::size_t kept = 0, removed = 0;
  std::uint64_t kept_bytes = 0;
  std::vector<std::string> failures;
  for (const auto& e : *plan) {
    out.plan->lines.push_back(
        {e.keep ? PlanLine::Action::keep : PlanLine::Action::remove, e.backup_id, e.reason});
    if (!dry_run) {
      spdlog::info("mongo prune {}: {} {} ({})", target.name, e.keep ? "keep" : "remove",
                   e.backup_id, e.reason);
    }
    if (e.keep) {
      ++kept;
      kept_bytes += e.bytes;
      for (const auto& rule : e.rules) ++out.kept_per_rule[rule];
      continue;
    }
    if (!dry_run) {
      if (auto err = store.remove_backup(e.backup_id)) {
        failures.push_back(*err);
        ++kept;
        kept_bytes += e.bytes;
        continue;
      }
      spdlog::info("AUDIT mongo backup deleted: {}/{} ({})", target.name, e.backup_id, e.reason);
    }
    ++removed;
  }
  out.kept_count = kept;
  out.kept_bytes = kept_bytes;
  out.removed_count = removed;
  if (!failures.empty()) {
    out.state = TierState::failed;
    out.error = TierError{TierError::Kind::local_io,
                          "mongo prune of " + target.name + ": " + std::to_string(failures.size()) +
                              " deletion(s) failed: " + failures.front()};
  }
  out.summary = "mongo: kept " + std::to_string(kept) + ", " +
                (dry_run ? "would remove " : "removed ") + std::to_string(removed) + " of " +
                std::to_string(plan->size()) + " valid backups";
  return out;
}

}  // namespace agent::mongo
