#pragma once

#include <iosfwd>
#include <string>

#include "agent/core/output.hpp"

// `pve-smokerbak retention simulate`: shows what a prune-backups policy keeps, on a list of
// backups (JSON) or a generated history, without touching any backup.
namespace agent {

struct SimulateOptions {
  std::string policy;              // Proxmox prune-backups string
  std::string timezone = "local";  // "local" or an IANA name
  std::string input;               // file path, "-" for stdin; empty when generating
  std::string generate;            // START,END,INTERVAL; empty when reading input
  bool json = false;
};

// Runs the simulation and returns the process exit code: 0, or 2 (agent::exit_code::k_usage)
// for a bad policy, zone, input or --generate spec, with one error message naming it.
int run_retention_simulate(const SimulateOptions& options, std::istream& in, Output& out);

}  // namespace agent
