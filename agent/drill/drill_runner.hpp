#pragma once

#include <functional>
#include <memory>
#include <string>

#include "agent/drill/drill_context.hpp"
#include "agent/drill/drill_source.hpp"
#include "agent/drill/vzdump_drill.hpp"
#include "agent/mongo/ssh_sessions.hpp"
#include "proxmox/client.hpp"

// One drill of one tier of one target, for `drill` and for the due drills of `run`: the API
// client made once and shared by the drills of one invocation, the backup source chosen by
// `from`.
namespace agent::drill {

// Where a drill's backup comes from: the local store, or the off-site copy (fetched and
// decrypted first; the fetch is part of the RTO).
struct DrillFrom {
  std::string name = "local";      // local | offsite
  std::string destination;         // offsite: the destination name; "" = the only one
  std::filesystem::path identity;  // offsite: the age identity file that decrypts the copy
};

// Why a vzdump drill cannot come from off-site, and what to do instead.
const char* vzdump_offsite_refusal();

// An off-site source of mongo backups (cli/wiring.cpp builds it over agent/offsite); an error
// text when it cannot be made (no off-site tier, unreadable identity).
using OffsiteMongoSourceFactory =
    std::function<tl::expected<std::unique_ptr<MongoBackupSource>, TierError>(const DrillFrom&)>;

// What the drills reach the outside with (cli/wiring.cpp builds them).
struct DrillDeps {
  std::function<proxmox::Result<std::unique_ptr<proxmox::Client>>()> api;
  mongo::SessionFactory ssh_sessions;
  VzdumpDrillOptions vzdump;
  OffsiteMongoSourceFactory offsite_mongo;  // empty: no off-site drills
};

class DrillRunner {
 public:
  explicit DrillRunner(const DrillDeps& deps) : m_deps(deps) {}
  // `backup`: a vzdump volid or mongo backup id; "" = the newest verified.
  DrillOutcome run(const DrillContext& ctx, const TargetConfig& target, TierName tier,
                   const std::string& backup, const DrillFrom& from = {});

 private:
  const DrillDeps& m_deps;
  std::unique_ptr<proxmox::Client> m_api;
};

}  // namespace agent::drill
