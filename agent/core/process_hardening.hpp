#pragma once

#include <optional>
#include <string>

// Keeps the secrets the process reads (the API token, the MongoDB password) out of core dumps
// and away from other processes of the same user: called first thing in main(), before any
// secret is read.
namespace agent {

// Sets RLIMIT_CORE to 0 (soft and hard: no core file, whatever systemd or ulimit allowed) and
// makes the process non-dumpable (prctl PR_SET_DUMPABLE 0: no core through a pipe handler such
// as systemd-coredump either, and no ptrace attach or /proc/PID/mem by non-root users). Returns
// what failed, or nullopt.
std::optional<std::string> harden_process();

}  // namespace agent
