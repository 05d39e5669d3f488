#pragma once

#include <string>
#include <vector>

#include "agent/mongo/ssh_sessions.hpp"
#include "agent/tier/tier.hpp"

// The mongo tier: mongodump over SSH into the local backup store, validated while it
// downloads, pruned with the shared retention policy. What the code relies on from the archive
// format: docs/mongodump-format.md.
namespace agent::mongo {

class MongoTier final : public Tier {
 public:
  MongoTier(const Config& config, SessionFactory sessions)
      : m_config(config), m_sessions(std::move(sessions)) {}

  TierName name() const override { return TierName::mongo; }
  bool configured(const TargetConfig& target) const override { return target.mongo.has_value(); }
  std::unique_ptr<TierRun> begin(const TargetConfig& target, const RunContext& ctx) override;
  tl::expected<std::vector<BackupListing>, TierError> list(const TargetConfig& target) override;
  // Removes the .partial dumps a killed run left.
  std::vector<std::string> reconcile(const TargetConfig& target, JournalStep last_step,
                                     const std::string& detail) override;
  // The configured backup_dir.
  std::optional<std::filesystem::path> local_storage(const TargetConfig& target,
                                                     const TierRecord& record) const override;
  // Nothing to ask: `status` judges the mongo tier from local facts alone.
  std::optional<TierError> probe() override { return std::nullopt; }

 private:
  const Config& m_config;
  SessionFactory m_sessions;
};

}  // namespace agent::mongo
