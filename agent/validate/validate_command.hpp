#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/core/output.hpp"

// `pve-smokerbak validate`: re-checks kept backups of both tiers by reading them again from
// disk, then history checks; prints the table or JSON.
namespace agent {

struct ValidateOptions {
  std::string target;
  bool json = false;
  std::vector<std::string> paths;  // backups named on the command line (no config needed)
};

// Every kept backup of every configured target (or options.target): rewrites the mongo
// validation reports and records the verdicts for `status`. Takes the run lock. Returns the
// exit code (0 valid, 1 invalid, 2 usage, 3 warnings, 75 locked).
int validate_configured(const Config& config, const ValidateOptions& options, std::int64_t now,
                        Output& out);

// Only the backups in options.paths; changes no files. Returns the exit code.
int validate_paths(const ValidateOptions& options, std::int64_t now, Output& out);

}  // namespace agent
