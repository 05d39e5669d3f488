#pragma once

#include <string>

#include "agent/config/config.hpp"
#include "agent/core/clock.hpp"
#include "agent/core/output.hpp"
#include "agent/mongo/ssh_sessions.hpp"

// `pve-smokerbak restore mongo`: validate a stored backup, then stream it over SSH into
// mongorestore (optionally into a scratch database for restore drills).
namespace agent::mongo {

struct RestoreRequest {
  std::string target;  // empty: the only target with a mongo tier
  std::string backup = "latest";
  std::string into_db;  // restore into this database via --nsFrom/--nsTo
  bool drop = false;
  bool dry_run = false;
};

// Returns the exit code: 0 restored (or the dry run shown), 1 validation or restore failed,
// 2 usage error. Every attempt is appended to backup_dir/restore.log, dated on `clock`.
int restore_mongo(const Config& config, const RestoreRequest& request,
                  const SessionFactory& sessions, const Clock& clock, Output& out);

}  // namespace agent::mongo
