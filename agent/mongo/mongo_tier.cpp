#include <spdlog/spdlog.h>

#include "agent/mongo/mongo_backup.hpp"
#include "agent/mongo/mongo_commands.hpp"
#include "agent/mongo/mongo_prune.hpp"
#include "agent/run/tier.hpp"

namespace agent {
namespace {

// The mongo tier: dumps over SSH into the local backup store, validates while downloading,
// prunes valid backups with the shared retention policy.
class MongoTier final : public Tier {
 public:
  MongoTier(const Config& config, mongo::SessionFactory sessions)
      : m_config(config), m_sessions(std::move(sessions)) {}

  std::string name() const override { return "mongo"; }

  TierOutcome backup(const TargetConfig& target, const RunContext& ctx) override {
    if (!target.mongo) return skipped(target);
    if (ctx.dry_run) {
      TierOutcome o;
      o.summary = "dry run: would run `" + mongo::dump_command(*target.mongo) + "` on " +
                  target.mongo->ssh.user + "@" + target.mongo->ssh.host + ":" +
                  std::to_string(target.mongo->ssh.port) + " (password on stdin) into " +
                  target.mongo->backup_dir.string();
      return o;
    }
    return mongo::run_mongo_backup(
        {m_config, target, *target.mongo, ctx.run_id, ctx.run_start, std::nullopt}, m_sessions);
  }

  TierOutcome prune(const TargetConfig& target, const RunContext& ctx) override {
    if (!target.mongo) return skipped(target);
    return mongo::run_mongo_prune(m_config, target, *target.mongo, ctx.dry_run);
  }

 private:
  static TierOutcome skipped(const TargetConfig& target) {
    TierOutcome o;
    o.state = TierState::skipped;
    o.summary = "no mongo tier configured for " + target.name;
    return o;
  }

  const Config& m_config;
  mongo::SessionFactory m_sessions;
};

}  // namespace

std::unique_ptr<Tier> make_mongo_tier(const Config& config) {
  return std::make_unique<MongoTier>(
      config, [](const remote::SshOptions& o) { return remote::connect_ssh(o); });
}

}  // namespace agent
