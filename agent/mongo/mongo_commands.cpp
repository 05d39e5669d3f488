#include "agent/mongo/mongo_commands.hpp"

#include "remote/ssh_session.hpp"

namespace agent::mongo {
namespace {

// The configured prefix (e.g. "docker exec -i mongo") is operator-written shell text and is
// used as is; everything after it is quoted.
std::string prefix(const MongoConfig& m) { return m.command.empty() ? "" : m.command + " "; }

std::string flag(const std::string& name, const std::string& value) {
  return " " + remote::shell_quote("--" + name + "=" + value);
}

// Without a username the server runs without auth: no flags, and no password on stdin.
std::string auth_flags(const MongoConfig& m) {
  if (!uses_auth(m)) return "";
  return flag("username", m.username) + flag("authenticationDatabase", m.auth_db);
}

}  // namespace

bool uses_auth(const MongoConfig& m) { return !m.username.empty(); }

std::string dump_command(const MongoConfig& m) {
  // --oplog is for whole-instance dumps only (mongodump refuses it with --db).
  const std::string what = m.oplog ? std::string(" --oplog") : flag("db", m.database);
  return prefix(m) + "mongodump --archive --gzip" + what + auth_flags(m);
}

std::string restore_command(const MongoConfig& m, const std::string& source_db,
                            const RestoreOptions& o) {
  std::string cmd = prefix(m) + "mongorestore --archive --gzip" + auth_flags(m);
  // A whole-instance backup restores every namespace it has; mongorestore refuses
  // --oplogReplay together with --nsInclude or --nsFrom/--nsTo.
  if (!source_db.empty()) cmd += flag("nsInclude", source_db + ".*");
  if (o.oplog_replay) cmd += " --oplogReplay";
  if (o.into_db && !source_db.empty()) {
    cmd += flag("nsFrom", source_db + ".*") + flag("nsTo", *o.into_db + ".*");
  }
  if (o.drop) cmd += " --drop";
  return cmd;
}

}  // namespace agent::mongo
