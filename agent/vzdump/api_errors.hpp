#pragma once

#include "agent/tier/tier_error.hpp"
#include "proxmox/error.hpp"

namespace agent {

// The kind a Proxmox API error is for the agent, its message kept: auth, permission and TLS
// are access; transport, timeouts and the gateway statuses that lose an answer (502-504,
// pveproxy's 595/596) are unreachable; every other answer (a failed task, 400/500, not found,
// an answer that does not parse) is refused. The message is made safe for people (every line
// through escape_control_chars: the server's words and task log lines are remote text).
TierError tier_error_of(const proxmox::Error& error);

}  // namespace agent
