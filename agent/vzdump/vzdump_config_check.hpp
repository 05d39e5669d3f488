#pragma once

#include "agent/config/config_check.hpp"
#include "agent/vzdump/vzdump_tier.hpp"

// The vzdump tier's part of `config check`:
//  - always (no network): each target's notes template against upstream's rules and its
//    1024-character limit, counted with the agent's own first line (proxmox/notes_template.hpp),
//    each problem named FILE:LINE:COLUMN at the offending character; the pass-through options
//    (mailto's upstream format; mailto without effect under notification-system;
//    pbs_change_detection_mode, which only PBS storages read);
//  - with `config check --api`: asks the Proxmox API, read-only, for each target: where the CT
//    runs, the storage's kind there (a local path, PBS or a backup provider, and what that
//    means for verification and pruning), and the retention vzdump will apply on it (GET
//    /nodes/{node}/vzdump/defaults, /etc/vzdump.conf and the storage merged; the storage's own
//    setting only on nodes without that endpoint), which must be keep-all for remove=0 backups.
namespace agent {

// Makes an API client for a loaded configuration (agent/cli/wiring.cpp make_api_client).
using ClientMaker = std::function<proxmox::Result<std::unique_ptr<proxmox::Client>>(const Config&)>;

ConfigCheck vzdump_config_check();
ConfigCheck vzdump_api_check(ClientMaker make_client);

}  // namespace agent
