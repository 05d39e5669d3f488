#include "agent/drill/drill_runner.hpp"

#include "agent/drill/mongo_drill.hpp"
#include "agent/vzdump/api_errors.hpp"

namespace agent::drill {

const char* vzdump_offsite_refusal() {
  return "a vzdump drill from off-site is not supported: the API restore needs the archive on a "
         "Proxmox storage. Fetch it there with `pve-smokerbak offsite fetch <key> --identity FILE "
         "--to <the storage's dump directory>`, then drill it with `pve-smokerbak drill --tier "
         "vzdump --backup <volid>`";
}

DrillOutcome DrillRunner::run(const DrillContext& ctx, const TargetConfig& target, TierName tier,
                              const std::string& backup, const DrillFrom& from) {
  DrillOutcome outcome;
  if (tier == TierName::vzdump) {
    if (from.name != "local") {
      outcome.record = start_record(ctx, target, tier, from.name);
      finish_record(outcome.record, TierError{TierError::Kind::refused, vzdump_offsite_refusal()});
      return outcome;
    }
    if (!m_api) {
      auto made = m_deps.api();
      if (!made) {
        outcome.record = start_record(ctx, target, tier, from.name);
        finish_record(outcome.record, tier_error_of(made.error()));
        return outcome;
      }
      m_api = std::move(*made);
    }
    return run_vzdump_drill(ctx, target, *m_api, backup, m_deps.vzdump);
  }
  std::unique_ptr<MongoBackupSource> source;
  if (from.name == "offsite") {
    if (!m_deps.offsite_mongo) {
      outcome.record = start_record(ctx, target, tier, from.name);
      finish_record(outcome.record, TierError{TierError::Kind::refused,
                                              "this build has no off-site source for drills"});
      return outcome;
    }
    auto made = m_deps.offsite_mongo(from);
    if (!made) {
      outcome.record = start_record(ctx, target, tier, from.name);
      finish_record(outcome.record, made.error());
      return outcome;
    }
    source = std::move(*made);
  } else {
    source = local_mongo_source();
  }
  return run_mongo_drill(ctx, target, m_deps.ssh_sessions, *source, backup);
}

}  // namespace agent::drill
