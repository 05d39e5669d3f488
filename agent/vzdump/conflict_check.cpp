#include "agent/vzdump/conflict_check.hpp"

#include <spdlog/spdlog.h>

#include "policies/retention_policy.hpp"
#include "proxmox/error_cause.hpp"

namespace agent {

long long backup_limit_of(const std::string& prune_backups) {
  if (prune_backups.empty()) return 0;
  auto policy = policies::parse_prune_string(prune_backups);
  if (!policy || policy->keep_all) return 0;
  long long sum = 0;
  for (const auto& v : {policy->keep_last, policy->keep_hourly, policy->keep_daily,
                        policy->keep_weekly, policy->keep_monthly, policy->keep_yearly}) {
    if (v && *v > 0) sum += *v;
  }
  return sum;
}

namespace {

// Nodes without vzdump/defaults (before pve-manager 6.4): the storage's own prune-backups.
void fallback_storage_settings(proxmox::Client& client, const std::string& node,
                               const std::string& storage, const std::string& ct, std::int64_t vmid,
                               ConflictReport& report, std::string& storage_prune) {
  if (auto cfg = client.storage_config(storage)) {
    storage_prune = cfg->prune_backups;
    report.storage_backup_limit = backup_limit_of(storage_prune);
    if (report.storage_backup_limit > 0) {
      report.warnings.push_back(
          "storage '" + storage + "' has prune-backups " + storage_prune +
          ": Proxmox backup jobs on it prune the agent's archives of " + ct +
          " by that rule, and vzdump (which the agent runs with remove=0) refuses to back up "
          "once " +
          std::to_string(report.storage_backup_limit) +
          " unprotected backups exist (\"max backup limit\"). Set keep-all on the storage "
          "(`pvesm set " +
          storage + " --prune-backups keep-all=1`) and let the agent prune.");
    }
  } else if (cfg.error().kind == proxmox::Error::Kind::permission) {
    // Reading the storage config needs Datastore.Allocate; ask the server's prune dry run
    // instead, which the minimal token may call.
    auto marks = client.storage_prune_preview(node, storage, vmid);
    if (marks) {
      std::size_t removed = 0;
      for (const auto& m : *marks) removed += m.mark == proxmox::PruneMark::Mark::remove ? 1 : 0;
      if (removed > 0) {
        report.warnings.push_back(
            "storage '" + storage + "' has its own prune-backups setting, which would remove " +
            std::to_string(removed) + " of the " + std::to_string(marks->size()) + " backups of " +
            ct +
            " now: Proxmox backup jobs on the storage would delete the "
            "agent's archives, and vzdump may refuse the agent's backup (\"max backup "
            "limit\"). Set `pvesm set " +
            storage + " --prune-backups keep-all=1`.");
        report.storage_backup_limit = static_cast<long long>(marks->size() - removed);
      }
    } else if (proxmox::cause_of(marks.error()) != proxmox::Cause::no_prune_settings) {
      spdlog::debug("conflict check: prune preview failed: {}", marks.error().message);
    }
  } else {
    spdlog::debug("conflict check: storage config unavailable: {}", cfg.error().message);
  }
}

}  // namespace

ConflictReport check_conflicts(proxmox::Client& client, const std::string& node,
                               const std::string& storage, std::int64_t vmid) {
  ConflictReport report;
  const std::string ct = "CT " + std::to_string(vmid);

  // What vzdump applies on the storage: /etc/vzdump.conf and the storage's prune-backups
  // merged (vzdump/defaults, Datastore.Audit suffices); the storage's own setting only on
  // nodes without that endpoint (docs/proxmox-api.md).
  std::string storage_prune;
  auto defaults = client.vzdump_defaults(node, storage);
  if (defaults && *defaults) {
    storage_prune = (*defaults)->prune_backups;
    report.storage_backup_limit = backup_limit_of(storage_prune);
    if (report.storage_backup_limit > 0) {
      report.warnings.push_back(
          "vzdump applies prune-backups " + storage_prune + " on storage '" + storage +
          "' (the storage's setting, else /etc/vzdump.conf): Proxmox backup jobs on it prune "
          "the agent's archives of " +
          ct +
          " by that rule, and vzdump (which the agent runs with remove=0) refuses to back "
          "up once " +
          std::to_string(report.storage_backup_limit) +
          " unprotected backups exist (\"max backup limit\"). Set keep-all on the storage "
          "(`pvesm set " +
          storage +
          " --prune-backups keep-all=1`; no prune-backups in /etc/vzdump.conf) and let the agent "
          "prune.");
    }
  } else {
    if (!defaults) {
      spdlog::debug("conflict check: vzdump/defaults failed: {}", defaults.error().message);
    }
    fallback_storage_settings(client, node, storage, ct, vmid, report, storage_prune);
  }

  auto jobs = client.backup_jobs();
  if (!jobs) {
    // Listing jobs needs Sys.Audit on /, which the minimal token lacks: say so once.
    spdlog::info("conflict check skipped for Proxmox backup jobs: {}", jobs.error().message);
    return report;
  }
  for (const auto& job : *jobs) {
    if (!job.enabled || !job.covers(vmid)) continue;
    const std::string prune = job.prune_backups.empty() ? storage_prune : job.prune_backups;
    std::string text = "Proxmox backup job '" + job.id + "' (schedule " +
                       (job.schedule.empty() ? std::string("?") : job.schedule) +
                       ") also backs up " + ct + " to storage '" + job.storage + "'";
    if (job.storage == storage && job.remove && backup_limit_of(prune) > 0) {
      text += " and prunes it with " + prune +
              " after each run, which deletes the agent's archives there";
    } else if (job.storage == storage) {
      text +=
          "; its archives count toward the storage's limits and are not managed by the "
          "agent";
    }
    text += ". Remove " + ct + " from the job or point it at another storage.";
    report.warnings.push_back(text);
  }
  return report;
}

}  // namespace agent
