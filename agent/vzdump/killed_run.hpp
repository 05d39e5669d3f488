#pragma once

#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/vzdump/vzdump_tier.hpp"
#include "proxmox/client.hpp"

// What the vzdump tier does at the start of a run when the journal shows that a killed run
// had started a vzdump task (journal step `task-started`, detail = the task's UPID): the task
// is adopted instead of forgotten. It is waited for while it still runs (as long as a backup
// may take); when it ended well, its archive is found (the task log's archive line) and
// checked as a backup of this run would be (read here, PBS's verdict, or not verifiable here)
// and recorded, so it counts only once it is verified; when it cannot be checked now it stays
// "not verified" (an agent-tagged archive without a record is never counted as verified).
namespace agent {

// One sentence per thing done or found. Never throws; API failures become sentences.
std::vector<std::string> reconcile_started_task(proxmox::Client& api, const Config& config,
                                                const TargetConfig& target, const std::string& upid,
                                                const VzdumpTierOptions& options);

}  // namespace agent
