#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "agent/config/config.hpp"
#include "agent/tier/backup_listing.hpp"
#include "agent/tier/run_context.hpp"
#include "agent/tier/tier_error.hpp"
#include "agent/tier/tier_name.hpp"
#include "agent/tier/tier_outcome.hpp"
#include "agent/tier/tier_record.hpp"

// The contract between the commands (`run`, `prune`, `list`, `status`) and a backup tier. A
// tier is built and registered in one place (agent/cli/wiring.cpp); the commands only iterate
// a TierSet. Adding a tier: implement Tier and TierRun, add its TierName, register it there.
namespace agent {

// One tier's work on one target in one run. backup() and then prune() are called on the same
// object, which is how what backup() learned reaches prune() (the vzdump tier: the storage
// listing it read back after writing the notes); a prune-only run calls prune() alone. Errors
// come back in the outcome; an exception is a bug, which the orchestrator turns into a failure
// of kind internal.
class TierRun {
 public:
  virtual ~TierRun() = default;
  // Makes, verifies and records one backup. Never deletes a good backup.
  virtual TierOutcome backup() = 0;
  // Applies the retention policy (honours the context's dry_run and no_prune); the outcome
  // carries the plan.
  virtual TierOutcome prune() = 0;
};

class Tier {
 public:
  virtual ~Tier() = default;
  virtual TierName name() const = 0;
  // True when `target` has this tier's configuration section.
  virtual bool configured(const TargetConfig& target) const = 0;
  // Starts this tier's work on `target`, one it is configured() for; `ctx` and `target` must
  // outlive the returned object.
  virtual std::unique_ptr<TierRun> begin(const TargetConfig& target, const RunContext& ctx) = 0;
  // Every backup of this tier for `target`, newest first, marked as the next prune would.
  virtual tl::expected<std::vector<BackupListing>, TierError> list(const TargetConfig& target) = 0;
  // Called at the start of a run when the journal shows that an earlier run of this tier for
  // `target` was killed after `last_step` (detail: what it was doing). Cleans up what it can
  // (e.g. .partial dumps) and returns one sentence per action taken.
  virtual std::vector<std::string> reconcile(const TargetConfig& target, JournalStep last_step,
                                             const std::string& detail) = 0;
  // Where this tier's backups of `target` lie on this host, for `status`' free-space
  // projection; nullopt when they are not local (or not known yet).
  virtual std::optional<std::filesystem::path> local_storage(const TargetConfig& target,
                                                             const TierRecord& record) const = 0;
  // Asks the tier's remote end whether it answers now, for `status` (which otherwise works from
  // local facts only). nullopt when it does, or when the tier has nothing to ask.
  virtual std::optional<TierError> probe() = 0;
  // Metric series of this tier beyond its per-target records, as Prometheus text with HELP and
  // TYPE lines (docs/metrics.md), appended to the metrics file: the off-site tier's series per
  // destination. Empty by default.
  virtual std::string extra_metrics() const { return {}; }
};

// The tiers of this program, in the order a run backs up each target: a tier may use what an
// earlier one made (RunContext::made).
class TierSet {
 public:
  void add(std::unique_ptr<Tier> tier) { m_tiers.push_back(std::move(tier)); }
  Tier* find(TierName name) const {
    for (const auto& t : m_tiers) {
      if (t->name() == name) return t.get();
    }
    return nullptr;
  }
  const std::vector<std::unique_ptr<Tier>>& all() const { return m_tiers; }
  bool empty() const { return m_tiers.empty(); }

 private:
  std::vector<std::unique_ptr<Tier>> m_tiers;
};

}  // namespace agent
