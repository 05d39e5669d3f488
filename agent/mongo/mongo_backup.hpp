#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/config/config.hpp"
#include "agent/run/tier.hpp"
#include "remote/ssh_session.hpp"

namespace agent::mongo {

// Opens the SSH session a mongo operation runs on (connect_ssh in production; tests may point
// it anywhere, e.g. a real sshd fixture).
using SessionFactory =
    std::function<remote::Result<std::unique_ptr<remote::SshSession>>(const remote::SshOptions&)>;

remote::SshOptions ssh_options(const SshConfig& ssh);

struct BackupRequest {
  const Config& config;
  const TargetConfig& target;
  const MongoConfig& mongo;
  std::string run_id;
  std::chrono::system_clock::time_point run_start;
  std::optional<std::string> vzdump_volid;  // the same run's vzdump archive, if any
};

// One `run --tier mongo` backup: streams `mongodump --archive --gzip` over SSH into
// backup-STAMP.partial/ while hashing and validating it, then publishes it (rename, `latest`)
// only when mongodump exited 0 and the archive is valid. Otherwise keeps the attempt as
// failed-STAMP/ and returns a failed outcome whose error says why. Never touches earlier
// backups or `latest` on failure.
TierOutcome run_mongo_backup(const BackupRequest& request, const SessionFactory& sessions);

// Removes credentials from a mongodump log line: registered secrets and the password part of
// mongodb:// URIs (mongodump echoes the URI on connection failures, mongodump.md §3.3).
std::string redact_mongo_line(std::string_view line);

}  // namespace agent::mongo
