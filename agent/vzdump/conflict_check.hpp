#pragma once

#include <string>
#include <vector>

#include "proxmox/client.hpp"

// Warns when Proxmox's own retention would delete or block the agent's backups: a scheduled
// Proxmox backup job on the same guest (it prunes with remove=1 by default), or the storage's
// own prune-backups setting (used by such jobs, and behind vzdump's "max backup limit"
// pre-check that fails the agent's remove=0 backup once N unprotected backups exist).
namespace agent {

struct ConflictReport {
  std::vector<std::string> warnings;  // full sentences saying what to change
  // The storage's finite retention (sum of its keep-* counts), 0 when unlimited or unknown.
  long long storage_backup_limit = 0;
};

ConflictReport check_conflicts(proxmox::Client& client, const std::string& node,
                               const std::string& storage, std::int64_t vmid);

// Sum of the positive keep-* counts of a prune-backups string; 0 for keep-all, "" or all 0.
long long backup_limit_of(const std::string& prune_backups);

}  // namespace agent
