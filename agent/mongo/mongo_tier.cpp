#include <algorithm>

#include <spdlog/spdlog.h>

#include "agent/mongo/backup_store.hpp"
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
        {m_config, target, *target.mongo, ctx.run_id, ctx.run_start,
         ctx.vzdump_volid.empty() ? std::nullopt : std::optional<std::string>(ctx.vzdump_volid)},
        m_sessions);
  }

  tl::expected<std::vector<BackupListing>, std::string> list(const TargetConfig& target,
                                                             const RunContext& /*ctx*/) override {
    std::vector<BackupListing> out;
    if (!target.mongo) return out;
    auto plan = mongo::plan_mongo_prune(m_config, target, *target.mongo);
    if (!plan) return tl::unexpected(plan.error());
    const mongo::BackupStore store(target.mongo->backup_dir);
    for (const auto& b : store.list_valid()) {
      BackupListing l;
      l.id = b.id;
      l.ctime = b.manifest.started_at;
      l.bytes = b.manifest.size;
      l.validation = b.manifest.valid ? "ok" : "failed";
      l.run_id = b.manifest.run_id;
      for (const auto& e : *plan) {
        if (e.backup_id == b.id) {
          l.mark = e.keep ? "keep" : "remove";
          l.reason = e.reason;
        }
      }
      out.push_back(std::move(l));
    }
    std::reverse(out.begin(), out.end());  // newest first
    return out;
  }

  std::vector<std::string> reconcile(const TargetConfig& target, const std::string& /*last_step*/,
                                     const std::string& /*detail*/) override {
    std::vector<std::string> actions;
    if (!target.mongo) return actions;
    for (const auto& removed : mongo::BackupStore(target.mongo->backup_dir).remove_partials()) {
      actions.push_back("removed the unfinished dump " + removed);
    }
    if (actions.empty()) actions.push_back("no unfinished mongo dump was left behind");
    return actions;
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
