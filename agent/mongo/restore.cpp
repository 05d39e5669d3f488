#include "agent/mongo/restore.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <spdlog/spdlog.h>

#include "agent/config/config_loader.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/core/progress.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/core/secret_memory.hpp"
#include "agent/mongo/archive_check.hpp"
#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/mongo_commands.hpp"
#include "agent/mongo/redact.hpp"
#include "agent/mongo/restore_stdin.hpp"
#include "agent/mongo/target_select.hpp"

namespace agent::mongo {
namespace {

// One line of backup_dir/restore.log: "<epoch on the run's clock> <what>".
void append_restore_record(const BackupStore& store, const Clock& clock, const std::string& line) {
  const auto now = std::chrono::system_clock::to_time_t(clock.now());
  std::ofstream(store.root() / "restore.log", std::ios::app) << now << " " << line << "\n";
}

}  // namespace

int restore_mongo(const Config& config, const RestoreRequest& args, const SessionFactory& sessions,
                  const Clock& clock, Output& out) {
  auto sel = select_mongo_target(config, args.target);
  if (!sel) {
    out.error(sel.error());
    return exit_code::k_usage;
  }
  const std::string& target_name = (*sel)->name;
  const MongoConfig& mongo = *(*sel)->mongo;
  const BackupStore store(mongo.backup_dir);
  auto backup = store.resolve(args.backup);
  if (!backup) {
    out.error(backup.error());
    return exit_code::k_failure;
  }
  const auto archive = backup->dir / backup->manifest.archive_file;
  out.message("Validating " + archive.string() + " ...\n");
  ProgressOptions check_po;
  check_po.label = "mongo: validate " + backup->id;
  check_po.total = backup->manifest.size;
  ProgressReporter check_progress(std::move(check_po), monotonic_clock());
  const auto check = check_stored_archive(
      archive, [&](std::uint64_t n) { check_progress.advance(n); }, stored_limits(mongo.limits));
  check_progress.finish(check.read_error.empty() ? "read" : "stopped");
  if (!check.read_error.empty() || !check.verdict.valid ||
      check.sha256 != backup->manifest.sha256) {
    std::string why = !check.read_error.empty() ? check.read_error
                      : check.sha256 != backup->manifest.sha256
                          ? "SHA-256 differs from manifest.json (file changed or damaged)"
                      : check.verdict.errors.empty() ? "archive invalid"
                                                     : check.verdict.errors.front();
    out.error("refusing to restore " + backup->id + ": " + why);
    return exit_code::k_failure;
  }
  RestoreOptions ro;
  if (!args.into_db.empty()) ro.into_db = args.into_db;
  ro.drop = args.drop;
  // A --oplog backup is the whole instance at one point in time: mongorestore replays its oplog
  // and can rename nothing while doing so.
  ro.oplog_replay = backup->manifest.oplog;
  if (ro.into_db && backup->manifest.database.empty()) {
    out.error("--into-db needs a backup of one database; " + backup->id +
              " is a whole-instance dump (mongo.oplog), which mongorestore restores only as a "
              "whole (--oplogReplay cannot rename namespaces)");
    return exit_code::k_usage;
  }
  const std::string command = restore_command(mongo, backup->manifest.database, ro);
  const std::string dest_db = ro.into_db.value_or(backup->manifest.database.empty()
                                                      ? std::string("(every database of the dump)")
                                                      : backup->manifest.database);
  const std::string where =
      mongo.ssh.user + "@" + mongo.ssh.host + ":" + std::to_string(mongo.ssh.port);
  if (args.dry_run) {
    out.result("dry run: would validate and send " + archive.string() + " (" +
               std::to_string(check.bytes) + " bytes, sha256 " + check.sha256 + ")\n" +
               "  to: " + where + "\n" + "  run: " + command + "\n" + "  password: " +
               (uses_auth(mongo) ? "on stdin (from " + mongo.password.path.string() + ")"
                                 : std::string("none (no username configured)")) +
               "\n" + "  into database: " + dest_db +
               (ro.drop ? " (dropping restored collections first)" : "") +
               (ro.oplog_replay ? " (then replaying the dump's oplog)" : "") + "\n");
    return exit_code::k_success;
  }
  std::string password_line;
  if (uses_auth(mongo)) {
    auto password = read_secret(mongo.password);
    if (!password) {
      out.error("cannot read the MongoDB password: " + password.error());
      return exit_code::k_failure;
    }
    password_line.reserve(password->size() + 1);
    password_line.append(*password).push_back('\n');
    wipe(*password);
  }
  const int fd = ::open(archive.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.error("cannot open " + archive.string());
    return exit_code::k_failure;
  }
  const std::string what = "RESTORE of " + backup->id + " (target " + target_name + ", database " +
                           backup->manifest.database + ") into database " + dest_db + " on " +
                           where + (ro.drop ? " with --drop" : "");
  spdlog::warn("{}: started", what);
  append_restore_record(store, clock, "started " + what);
  auto session = sessions(ssh_options(mongo));
  if (!session) {
    ::close(fd);
    spdlog::error("{}: failed: {}", what, session.error().message);
    append_restore_record(store, clock, "failed " + what);
    out.error(session.error().message);
    return exit_code::k_failure;
  }
  std::string last_line;
  ProgressOptions po;
  po.label = "mongo: restore upload of " + backup->id;
  po.total = check.bytes;
  ProgressReporter progress(std::move(po), monotonic_clock());
  auto status = (*session)->exec(
      command,
      password_then_file(std::move(password_line), fd,
                         [&progress](std::uint64_t n) {
                           progress.advance(n);
                           // the upload is complete; mongorestore goes on
                           if (n == 0) progress.finish("sent");
                         }),
      [](const std::uint8_t*, std::size_t) { return true; },
      [&](std::string_view line) {
        const std::string clean = escape_control_chars(redact_mongo_line(line));
        out.message("mongorestore: " + clean + "\n");
        if (!clean.empty()) last_line = clean;
      });
  progress.finish("stopped");  // only logs when the upload did not reach the end
  std::string failure;
  if (!status && status.error().kind == remote::Error::Kind::deadline) {
    failure = "the restore ran longer than mongo.max_duration_s (" +
              std::to_string(mongo.limits.max_duration_s) +
              " s) and was stopped; raise mongo.max_duration_s for a restore this large (" +
              status.error().message + ")";
  } else if (!status) {
    failure = status.error().message;
  } else if (!status->success()) {
    failure = status->signal ? "mongorestore killed by signal " + *status->signal
                             : "mongorestore exited with status " + std::to_string(status->code);
    if (!last_line.empty()) failure += ": " + last_line;
  }
  if (!failure.empty()) {
    spdlog::error("{}: failed: {}", what, failure);
    append_restore_record(store, clock, "failed " + what + ": " + failure);
    out.error("restore failed: " + failure);
    return exit_code::k_failure;
  }
  spdlog::warn("{}: finished: {}", what, last_line);
  append_restore_record(store, clock, "finished " + what);
  out.result("Restored " + backup->id + " into database " + dest_db + " on " + where +
             (last_line.empty() ? "" : " (" + last_line + ")") + "\n");
  return exit_code::k_success;
}

}  // namespace agent::mongo
