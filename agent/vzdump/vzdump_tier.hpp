#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/run/tier.hpp"
#include "proxmox/client.hpp"

// The vzdump tier: snapshot-mode vzdump backups of the target's container through the Proxmox
// VE API, verified on the host, tagged in their notes, pruned by the agent's retention policy.
namespace agent {

// Creates the API client for a run; the real one is make_api_client (curl transport).
using ClientFactory = std::function<proxmox::Result<std::unique_ptr<proxmox::Client>>()>;

// The real client for `config.proxmox`: reads the token secret (read_secret) and connects
// with the configured CA file or fingerprint pin and timeouts.
proxmox::Result<std::unique_ptr<proxmox::Client>> make_api_client(const Config& config);

struct VzdumpTierOptions {
  std::chrono::seconds backup_timeout{6 * 3600};  // the vzdump task is stopped after this
  std::chrono::seconds delete_timeout{600};
  std::chrono::milliseconds first_poll{250};
  std::chrono::milliseconds max_poll{5000};
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

  std::string name() const override { return "vzdump"; }
  TierOutcome backup(const TargetConfig& target, const RunContext& ctx) override;
  TierOutcome prune(const TargetConfig& target, const RunContext& ctx) override;
  tl::expected<std::vector<BackupListing>, std::string> list(const TargetConfig& target,
                                                             const RunContext& ctx) override;

  // Requests made so far by this tier's client (for the benchmark); zeros before the first.
  proxmox::ClientStats client_stats() const;

 private:
  proxmox::Result<proxmox::Client*> client();
  proxmox::Result<std::string> node_of(const TargetConfig& target, proxmox::ClusterGuest* out);

  const Config& m_config;
  ClientFactory m_factory;
  VzdumpTierOptions m_options;
  std::unique_ptr<proxmox::Client> m_client;
  std::map<std::int64_t, std::string> m_nodes;  // vmid -> node found in this run
  // target -> the storage listing as backup() left it (after its notes writes), taken by
  // the prune() that follows in the same run instead of listing again.
  std::map<std::string, std::vector<proxmox::BackupVolume>> m_current_listing;
};

}  // namespace agent
