#pragma once

#include <string>

// Keeping secrets (the API token, the MongoDB password) out of memory once used: the process is
// made non-dumpable at start (agent/core/process_hardening.hpp), and the agent's own copies are
// overwritten with explicit_bzero(3), which the compiler may not optimise away, before they are
// freed. What the libraries keep is written in docs/operator-guide.md ("Secrets in memory").
namespace agent {

// Overwrites every byte of `secret`'s buffer (its whole capacity: a shorter secret may sit
// where a longer text was) and empties it.
void wipe(std::string& secret);

}  // namespace agent
