#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent/config/config.hpp"

// The contract between `pve-smokerbak run|prune` and a backup tier (vzdump, mongo).
namespace agent {

// What one run shares across tiers and targets.
struct RunContext {
  const Config& config;
  std::string run_id;  // UTC start, e.g. "20251207T010002Z"; names both tiers' backups
  std::chrono::system_clock::time_point run_start;
  bool dry_run = false;   // change nothing anywhere; say what would happen
  bool no_prune = false;  // skip retention
};

enum class TierState { ok, warning, failed, skipped };

struct TierOutcome {
  TierState state = TierState::ok;
  std::string summary;                // one line for people, e.g. "backup 1.2 GiB verified"
  std::vector<std::string> warnings;  // each a full sentence
  std::string error;                  // set when state == failed: what went wrong and what to do
  std::string backup_id;              // volid (vzdump) or backup directory name (mongo), if made
};

class Tier {
 public:
  virtual ~Tier() = default;
  virtual std::string name() const = 0;  // "vzdump" | "mongo"
  // Makes, verifies and records one backup of `target`. Never deletes a good backup.
  virtual TierOutcome backup(const TargetConfig& target, const RunContext& ctx) = 0;
  // Applies the retention policy to this tier's backups of `target` (honours ctx.dry_run).
  virtual TierOutcome prune(const TargetConfig& target, const RunContext& ctx) = 0;
};

// Factories, one per tier (agent/vzdump/, agent/mongo/). Return nullptr while a tier is not
// built yet.
std::unique_ptr<Tier> make_vzdump_tier(const Config& config);
std::unique_ptr<Tier> make_mongo_tier(const Config& config);

}  // namespace agent
