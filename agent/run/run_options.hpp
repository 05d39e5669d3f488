#pragma once

#include <string>

namespace agent {

// What `run` and `prune` were asked to do.
struct RunOptions {
  std::string target;        // empty = every configured target
  std::string tier = "all";  // vzdump | mongo | all
  bool dry_run = false;
  bool no_prune = false;
  bool prune_only = false;  // `prune`: apply retention without making backups
};

}  // namespace agent
