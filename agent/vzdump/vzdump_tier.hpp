#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/tier/tier.hpp"
#include "proxmox/client.hpp"

// The vzdump tier: snapshot-mode vzdump backups of the target's container through the Proxmox
// VE API, verified on the host, tagged in their notes, pruned by the agent's retention policy.
// What the code relies on from the API: docs/proxmox-api.md.
namespace agent {

// Makes the API client the first time the tier needs one (cli/ decides how: the token, the CA
// file or pin, the timeouts; agent/cli/wiring.cpp). One client, and so one connection, per
// process.
using ClientFactory = std::function<proxmox::Result<std::unique_ptr<proxmox::Client>>()>;

struct VzdumpTierOptions {
  std::chrono::seconds backup_timeout{6 * 3600};  // the vzdump task is stopped after this
  std::chrono::seconds delete_timeout{600};
  std::chrono::milliseconds first_poll{250};
  std::chrono::milliseconds max_poll{5000};
  // A lost vzdump answer: how long a task of this token and guest that has not logged its
  // command line yet (it waits for the node's vzdump lock, up to vzdump's lockwait of 180
  // minutes, or runs a job-init hook) is waited for before giving up without a second POST
  // (proxmox::ClientOptions::adoption_wait; agent/cli/wiring.cpp passes it on).
  std::chrono::seconds adoption_wait{190 * 60};
};

// API requests of a steady-state night (backup() then prune(); bench/vzdump measures them):
// locate the guest, start vzdump, poll it, list the storage, read the new volume (path and
// the operator's notes lines), write each changed notes line, list once more to read them
// back (prune() reuses that listing), delete each pruned archive and poll its imgdel. No
// GET /version (a pre-7.2 server's 400 on notes-template says it); the conflict check runs
// when its last clean result is a week old (conflict_cache.hpp), or on every night while it
// warns.
class VzdumpTier final : public Tier {
 public:
  VzdumpTier(const Config& config, ClientFactory factory, VzdumpTierOptions options = {});

  TierName name() const override { return TierName::vzdump; }
  bool configured(const TargetConfig& target) const override { return target.vzdump.has_value(); }
  std::unique_ptr<TierRun> begin(const TargetConfig& target, const RunContext& ctx) override;
  tl::expected<std::vector<BackupListing>, TierError> list(const TargetConfig& target) override;
  // A task the killed run started (step `task-started`) is adopted: waited for, its archive
  // found, checked and recorded (killed_run.hpp). Other steps leave nothing half-done.
  std::vector<std::string> reconcile(const TargetConfig& target, JournalStep last_step,
                                     const std::string& detail) override;
  // The directory of the last successful archive, from its backup record.
  std::optional<std::filesystem::path> local_storage(const TargetConfig& target,
                                                     const TierRecord& record) const override;
  // GET /version: "Proxmox API unreachable (...)" when it fails.
  std::optional<TierError> probe() override;

  // The notes of `volids` say "off-site" now (VzdumpRun::mark_offsite); the off-site tier calls
  // it through agent/cli/wiring.cpp after its uploads.
  std::vector<std::string> mark_offsite(const TargetConfig& target, const RunContext& ctx,
                                        const std::set<std::string>& volids);

  // Requests made so far by this tier's client (for the benchmark); zeros before the first.
  proxmox::ClientStats client_stats() const;

 private:
  proxmox::Result<proxmox::Client*> client();

  const Config& m_config;
  ClientFactory m_factory;
  VzdumpTierOptions m_options;
  std::unique_ptr<proxmox::Client> m_client;
};

}  // namespace agent
