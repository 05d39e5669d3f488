#include "agent/mongo/mongo_tier.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/mongo_prune.hpp"
#include "agent/mongo/mongo_run.hpp"

namespace agent::mongo {

std::unique_ptr<TierRun> MongoTier::begin(const TargetConfig& target, const RunContext& ctx) {
  return std::make_unique<MongoRun>(m_config, target, ctx, m_sessions);
}

tl::expected<std::vector<BackupListing>, TierError> MongoTier::list(const TargetConfig& target) {
  std::vector<BackupListing> out;
  if (!target.mongo) return out;
  const BackupStore store(target.mongo->backup_dir);
  const auto backups = store.list_valid();  // every manifest read once, for plan and listing
  auto plan = plan_mongo_prune(m_config, target, *target.mongo, backups);
  if (!plan) return tl::unexpected(TierError{TierError::Kind::local_io, plan.error()});
  // By id: one lookup per backup (a scan of the plan per backup was quadratic: 10,000 backups
  // took seconds, bench/RESULTS.md).
  std::unordered_map<std::string_view, const PrunePlanEntry*> by_id;
  for (const auto& e : *plan) by_id[e.backup_id] = &e;
  for (const auto& b : backups) {
    BackupListing l;
    l.id = b.id;
    l.ctime = b.manifest.started_at;
    l.bytes = b.manifest.size;
    l.validation = b.manifest.valid ? Validation::ok : Validation::failed;
    l.run_id = b.manifest.run_id;
    if (const auto it = by_id.find(b.id); it != by_id.end()) {
      l.mark = it->second->keep ? ListMark::keep : ListMark::remove;
      l.reason = it->second->reason;
    }
    out.push_back(std::move(l));
  }
  std::reverse(out.begin(), out.end());  // newest first
  return out;
}

std::vector<std::string> MongoTier::reconcile(const TargetConfig& target, JournalStep /*last_step*/,
                                              const std::string& /*detail*/) {
  std::vector<std::string> actions;
  if (!target.mongo) return actions;
  for (const auto& removed : BackupStore(target.mongo->backup_dir).remove_partials()) {
    actions.push_back("removed the unfinished dump " + removed);
  }
  if (actions.empty()) actions.push_back("no unfinished mongo dump was left behind");
  return actions;
}

std::optional<std::filesystem::path> MongoTier::local_storage(const TargetConfig& target,
                                                              const TierRecord& /*record*/) const {
  if (!target.mongo) return std::nullopt;
  return target.mongo->backup_dir;
}

}  // namespace agent::mongo
