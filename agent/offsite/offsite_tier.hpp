#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/offsite/destination_client.hpp"
#include "agent/tier/tier.hpp"

// The off-site tier: after the local tiers of a target ran, every validated local backup that
// a destination lacks (and the policy keeps) is encrypted with age to the destination's
// recipients, uploaded (multipart, a few parts in flight, flat memory, retries), confirmed by
// HEAD (size, checksum, Object Lock) and recorded as a receipt; then the destination is pruned
// by the same policy (locks extended for promoted copies, expired unlocked versions deleted,
// only objects carrying this installation's tag). docs/offsite.md.
namespace agent::offsite {

struct OffsiteTierOptions {
  ClientFactory clients = make_destination_client;
  VzdumpCopiedHook vzdump_copied;  // unset: the notes say "off-site" after the next prune
};

class OffsiteTier final : public Tier {
 public:
  OffsiteTier(const Config& config, OffsiteTierOptions options = {});

  TierName name() const override { return TierName::offsite; }
  // Every target, once the config has an offsite destination.
  bool configured(const TargetConfig& target) const override;
  std::unique_ptr<TierRun> begin(const TargetConfig& target, const RunContext& ctx) override;
  // The copies the receipts record (local facts: no request), marked by the off-site policy.
  tl::expected<std::vector<BackupListing>, TierError> list(const TargetConfig& target) override;
  // A killed upload: aborts the multipart uploads under the target's prefix it left.
  std::vector<std::string> reconcile(const TargetConfig& target, JournalStep last_step,
                                     const std::string& detail) override;
  std::optional<std::filesystem::path> local_storage(const TargetConfig&,
                                                     const TierRecord&) const override {
    return std::nullopt;
  }
  // None: `status` judges the destinations from receipts and the last runs.
  std::optional<TierError> probe() override { return std::nullopt; }
  // Per destination and target (docs/metrics.md).
  std::string extra_metrics() const override;

 private:
  const Config& m_config;
  OffsiteTierOptions m_options;
};

}  // namespace agent::offsite
