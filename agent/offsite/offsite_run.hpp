#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "age/keys.hpp"
#include "agent/core/local_time.hpp"
#include "agent/offsite/destination_client.hpp"
#include "agent/offsite/local_backups.hpp"
#include "agent/offsite/upload_plan.hpp"
#include "agent/tier/tier.hpp"

// One off-site run on one target: backup() uploads what each destination lacks, prune() applies
// the policy to each destination. One destination failing never stops the others; the step
// then fails naming the destination and why.
namespace agent::offsite {

class OffsiteRun final : public TierRun {
 public:
  OffsiteRun(const Config& config, const TargetConfig& target, const RunContext& ctx,
             const ClientFactory& clients, VzdumpCopiedHook vzdump_copied = {});

  TierOutcome backup() override;
  TierOutcome prune() override;

 private:
  struct DestinationResult {
    int uploaded = 0;
    std::uint64_t bytes = 0;
    double seconds = 0;
    std::optional<TierError> error;
    std::vector<std::string> warnings;
  };
  struct PruneResult {
    std::uint64_t kept = 0, kept_bytes = 0, removed = 0, locked = 0, foreign = 0, extended = 0;
    std::map<policies::Rule, std::uint64_t> kept_per_rule;
    std::vector<PlanLine> lines;
    std::optional<TierError> error;
    std::vector<std::string> warnings;
  };

  DestinationResult upload_to(const OffsiteDestination& destination,
                              const std::vector<PlannedUpload>& plan);
  std::optional<TierError> upload_one(s3::Client& client, const OffsiteDestination& destination,
                                      const std::vector<age::Recipient>& recipients,
                                      const PlannedUpload& upload, DestinationResult& result);
  PruneResult prune_destination(const OffsiteDestination& destination);

  const Config& m_config;
  const TargetConfig& m_target;
  const RunContext& m_ctx;
  const ClientFactory& m_clients;
  std::int64_t m_now = 0;
  std::optional<ZoneCalendar> m_zone;
  std::string m_owner;
  VzdumpCopiedHook m_vzdump_copied;
  std::set<std::string> m_copied_volids;  // vzdump archives that got a receipt in this run
};

}  // namespace agent::offsite
