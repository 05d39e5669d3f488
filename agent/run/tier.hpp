#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

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
  // Step journal for crash safety (may be null in unit tests): record a step before doing
  // something a crash could leave half-done (a started task, a .partial directory).
  class RunJournal* journal = nullptr;
  // The volid of this run's vzdump archive of the current target, once the vzdump tier made
  // one; the mongo tier writes it into its manifest so the two backups name each other.
  std::string vzdump_volid;
};

enum class TierState { ok, warning, failed, skipped };

struct TierOutcome {
  TierState state = TierState::ok;
  std::string summary;                // one line for people, e.g. "backup 1.2 GiB verified"
  std::vector<std::string> warnings;  // each a full sentence
  std::string error;                  // set when state == failed: what went wrong and what to do
  std::string backup_id;              // volid (vzdump) or backup directory name (mongo), if made
  std::uint64_t backup_bytes = 0;     // size of the backup made (backup())
  std::optional<bool> validation_ok;  // verdict of the backup made (backup())
  // Filled by prune() (also in dry-run): what the retention leaves in place.
  std::optional<std::uint64_t> kept_count;
  std::optional<std::uint64_t> kept_bytes;
  std::map<std::string, std::uint64_t> kept_per_rule;  // "daily" -> 7, "weekly" -> 4, ...
  std::uint64_t removed_count = 0;
};

// One backup as `list` shows it: with its retention mark and validation verdict.
struct BackupListing {
  std::string id;          // volid or backup directory name
  std::int64_t ctime = 0;  // epoch seconds (vzdump: from the name; mongo: run start)
  std::uint64_t bytes = 0;
  std::string mark;        // "keep" | "remove" | "protected" | "foreign" | "failed"
  std::string reason;      // e.g. "keep: daily 3/7"
  std::string validation;  // "ok" | "failed" | "" (unknown)
  std::string run_id;      // smokerbak run id when the agent made it
};

class Tier {
 public:
  virtual ~Tier() = default;
  virtual std::string name() const = 0;  // "vzdump" | "mongo"
  // Makes, verifies and records one backup of `target`. Never deletes a good backup.
  virtual TierOutcome backup(const TargetConfig& target, const RunContext& ctx) = 0;
  // Applies the retention policy to this tier's backups of `target` (honours ctx.dry_run).
  virtual TierOutcome prune(const TargetConfig& target, const RunContext& ctx) = 0;
  // Every backup of this tier for `target`, newest first, marked as the next prune would.
  virtual tl::expected<std::vector<BackupListing>, std::string> list(const TargetConfig& /*target*/,
                                                                     const RunContext& /*ctx*/) {
    return tl::unexpected(std::string("listing is not available for this tier"));
  }
  // Called at the start of a run when the journal shows that an earlier run of this tier for
  // `target` was killed after `last_step` (detail: what it was doing). Cleans up what it can
  // (e.g. .partial dumps, a task still running) and returns one sentence per action taken.
  virtual std::vector<std::string> reconcile(const TargetConfig& /*target*/,
                                             const std::string& /*last_step*/,
                                             const std::string& /*detail*/) {
    return {};
  }
};

// Factories, one per tier (agent/vzdump/, agent/mongo/). Return nullptr while a tier is not
// built yet.
std::unique_ptr<Tier> make_vzdump_tier(const Config& config);
std::unique_ptr<Tier> make_mongo_tier(const Config& config);

}  // namespace agent
