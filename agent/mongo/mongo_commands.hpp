#pragma once

#include <optional>
#include <string>

#include "agent/config/config.hpp"

// The remote command lines of the mongo tier. Every configured value is shell-quoted; the
// password is never part of them (it goes to the tool on stdin, docs/mongodump-format.md section
// 1).
namespace agent::mongo {

// True when the config names a MongoDB user (then the password goes on stdin).
bool uses_auth(const MongoConfig& mongo);

// `<command> mongodump --archive --gzip --db=<db> --username=<u> --authenticationDatabase=<a>`,
// with mongo.oplog `--oplog` instead of `--db` (the whole instance, to one point in time).
std::string dump_command(const MongoConfig& mongo);

struct RestoreOptions {
  std::optional<std::string> into_db;  // restore into this database via --nsFrom/--nsTo
  bool drop = false;
  bool oplog_replay = false;  // the backup holds an oplog: --oplogReplay (no --nsInclude)
};

// `<command> mongorestore --archive --gzip --username=… --authenticationDatabase=…
//  --nsInclude=<db>.* [--nsFrom=<db>.* --nsTo=<into>.*] [--drop]`; for a whole-instance
// backup (source_db "") no --nsInclude, and `--oplogReplay` when asked. The auth flags only
// with a username, as for the dump.
std::string restore_command(const MongoConfig& mongo, const std::string& source_db,
                            const RestoreOptions& options);

}  // namespace agent::mongo
