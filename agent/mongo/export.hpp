#pragma once

#include <string>

#include "agent/config/config.hpp"
#include "agent/core/output.hpp"

// `pve-smokerbak export`: a stored archive as the per-collection directory layout of
// `mongodump --out --gzip`, for restoring by hand with the old runbook.
namespace agent::mongo {

struct ExportRequest {
  std::string target;      // empty: the only target with a mongo tier
  std::string backup;      // backup directory name or "latest"
  std::string dir;         // output directory (created 0700; must not exist or be empty)
  bool overwrite = false;  // write into a non-empty dir, replacing plain files of the same names
};

// Returns the exit code: 0 exported, 1 backup missing or invalid, 2 usage error.
int export_mongo(const Config& config, const ExportRequest& request, Output& out);

}  // namespace agent::mongo
