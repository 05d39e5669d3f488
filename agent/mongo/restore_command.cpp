// `pve-smokerbak restore mongo`: validate a stored backup, then stream it over SSH into
// mongorestore (optionally into a scratch database for restore drills).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>

#include <spdlog/spdlog.h>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/config/config_loader.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/core/progress.hpp"
#include "agent/mongo/archive_check.hpp"
#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/mongo_backup.hpp"
#include "agent/mongo/mongo_cli.hpp"
#include "agent/mongo/mongo_commands.hpp"

namespace agent::mongo {
namespace {

struct RestoreArgs {
  std::string target;
  std::string backup = "latest";
  std::string into_db;
  bool drop = false;
  bool dry_run = false;
};

// stdin of mongorestore: the password line (read byte-wise by the tool up to '\n'), then the
// archive file, whose bytes are counted on `progress` (which must outlive the source). Owns
// the descriptor; shared so the std::function stays copyable.
remote::StdinSource password_then_file(std::string password_line, int fd,
                                       ProgressReporter& progress) {
  struct State {
    std::string head;
    std::size_t off = 0;
    int fd = -1;
    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
      if (fd >= 0) ::close(fd);
    }
  };
  auto st = std::make_shared<State>();
  st->head = std::move(password_line);
  st->fd = fd;
  return [st, &progress](char* buf, std::size_t size) -> std::optional<std::size_t> {
    if (st->off < st->head.size()) {
      const std::size_t n = std::min(size, st->head.size() - st->off);
      std::memcpy(buf, st->head.data() + st->off, n);
      st->off += n;
      return n;
    }
    for (;;) {
      const ssize_t n = ::read(st->fd, buf, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::nullopt;
      progress.advance(static_cast<std::uint64_t>(n));
      if (n == 0) progress.finish("sent");  // the upload is complete; mongorestore goes on
      return static_cast<std::size_t>(n);
    }
  };
}

void append_restore_record(const BackupStore& store, const std::string& line) {
  std::ofstream(store.root() / "restore.log", std::ios::app) << line << "\n";
}

int run_restore(CommandContext& ctx, const RestoreArgs& args, const SessionFactory& sessions) {
  auto config = load_config_for_command(ctx);
  if (!config) return ctx.exit_code;
  auto sel = select_mongo_target(*config, args.target);
  if (!sel) {
    std::cerr << "pve-smokerbak: " << sel.error() << "\n";
    return exit_code::k_usage;
  }
  const MongoConfig& mongo = *sel->mongo;
  const BackupStore store(mongo.backup_dir);
  auto backup = store.resolve(args.backup);
  if (!backup) {
    std::cerr << "pve-smokerbak: " << backup.error() << "\n";
    return exit_code::k_failure;
  }
  const auto archive = backup->dir / backup->manifest.archive_file;
  std::cerr << "Validating " << archive.string() << " ...\n";
  ProgressOptions check_po;
  check_po.label = "mongo: validate " + backup->id;
  check_po.total = backup->manifest.size;
  ProgressReporter check_progress(std::move(check_po), monotonic_clock());
  const auto check =
      check_stored_archive(archive, [&](std::uint64_t n) { check_progress.advance(n); });
  check_progress.finish(check.read_error.empty() ? "read" : "stopped");
  if (!check.read_error.empty() || !check.verdict.valid ||
      check.sha256 != backup->manifest.sha256) {
    std::string why = !check.read_error.empty() ? check.read_error
                      : check.sha256 != backup->manifest.sha256
                          ? "SHA-256 differs from manifest.json (file changed or damaged)"
                      : check.verdict.errors.empty() ? "archive invalid"
                                                     : check.verdict.errors.front();
    std::cerr << "pve-smokerbak: refusing to restore " << backup->id << ": " << why << "\n";
    return exit_code::k_failure;
  }
  RestoreOptions ro;
  if (!args.into_db.empty()) ro.into_db = args.into_db;
  ro.drop = args.drop;
  const std::string command = restore_command(mongo, backup->manifest.database, ro);
  const std::string dest_db = ro.into_db.value_or(backup->manifest.database);
  const std::string where =
      mongo.ssh.user + "@" + mongo.ssh.host + ":" + std::to_string(mongo.ssh.port);
  if (args.dry_run) {
    std::cout << "dry run: would validate and send " << archive.string() << " (" << check.bytes
              << " bytes, sha256 " << check.sha256 << ")\n"
              << "  to: " << where << "\n"
              << "  run: " << command << "\n"
              << "  password: "
              << (uses_auth(mongo) ? "on stdin (from " + mongo.password.path.string() + ")"
                                   : std::string("none (no username configured)"))
              << "\n"
              << "  into database: " << dest_db
              << (ro.drop ? " (dropping restored collections first)" : "") << "\n";
    return exit_code::k_success;
  }
  std::string password_line;
  if (uses_auth(mongo)) {
    auto password = read_secret(mongo.password);
    if (!password) {
      std::cerr << "pve-smokerbak: cannot read the MongoDB password: " << password.error() << "\n";
      return exit_code::k_failure;
    }
    password_line = *password + "\n";
  }
  const int fd = ::open(archive.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::cerr << "pve-smokerbak: cannot open " << archive.string() << "\n";
    return exit_code::k_failure;
  }
  const std::string what = "RESTORE of " + backup->id + " (target " + sel->name + ", database " +
                           backup->manifest.database + ") into database " + dest_db + " on " +
                           where + (ro.drop ? " with --drop" : "");
  spdlog::warn("{}: started", what);
  append_restore_record(store, std::to_string(std::time(nullptr)) + " started " + what);
  auto session = sessions(ssh_options(mongo.ssh));
  if (!session) {
    ::close(fd);
    spdlog::error("{}: failed: {}", what, session.error().message);
    append_restore_record(store, std::to_string(std::time(nullptr)) + " failed " + what);
    std::cerr << "pve-smokerbak: " << session.error().message << "\n";
    return exit_code::k_failure;
  }
  std::string last_line;
  ProgressOptions po;
  po.label = "mongo: restore upload of " + backup->id;
  po.total = check.bytes;
  ProgressReporter progress(std::move(po), monotonic_clock());
  auto status = (*session)->exec(
      command, password_then_file(std::move(password_line), fd, progress),
      [](const std::uint8_t*, std::size_t) { return true; },
      [&](std::string_view line) {
        const std::string clean = redact_mongo_line(line);
        std::cerr << "mongorestore: " << clean << "\n";
        if (!clean.empty()) last_line = clean;
      });
  progress.finish("stopped");  // only logs when the upload did not reach the end
  std::string failure;
  if (!status) {
    failure = status.error().message;
  } else if (!status->success()) {
    failure = status->signal ? "mongorestore killed by signal " + *status->signal
                             : "mongorestore exited with status " + std::to_string(status->code);
    if (!last_line.empty()) failure += ": " + last_line;
  }
  const auto now = std::to_string(std::time(nullptr));
  if (!failure.empty()) {
    spdlog::error("{}: failed: {}", what, failure);
    append_restore_record(store, now + " failed " + what + ": " + failure);
    std::cerr << "pve-smokerbak: restore failed: " << failure << "\n";
    return exit_code::k_failure;
  }
  spdlog::warn("{}: finished: {}", what, last_line);
  append_restore_record(store, now + " finished " + what);
  std::cout << "Restored " << backup->id << " into database " << dest_db << " on " << where
            << (last_line.empty() ? "" : " (" + last_line + ")") << "\n";
  return exit_code::k_success;
}

}  // namespace

void add_restore_mongo_command(CLI::App& app, CommandContext& ctx, const SessionFactory& sessions) {
  auto* restore = app.add_subcommand("restore", "Restore a backup (mongo tier)");
  restore->require_subcommand(1);
  auto* cmd = add_command(
      *restore, "mongo", "Validate a mongo backup, then restore it over SSH with mongorestore",
      "Validates the stored backup, then streams it over SSH into `<command> mongorestore\n"
      "--archive --gzip` (password on stdin, never in argv). Exit codes: 0 restored (or dry\n"
      "run shown), 1 validation or restore failed, 2 usage/configuration error.",
      ExitCodeHelp::in_details);
  auto args = std::make_shared<RestoreArgs>();
  cmd->add_option("--target", args->target,
                  "Target name (optional when exactly one target has a mongo tier)");
  cmd->add_option("--backup", args->backup, "Backup directory name or 'latest'")
      ->capture_default_str();
  cmd->add_option("--into-db", args->into_db,
                  "Restore into this (scratch) database via --nsFrom/--nsTo, for restore drills");
  cmd->add_flag("--drop", args->drop, "Drop each restored collection in the target first");
  cmd->add_flag("--dry-run", args->dry_run, "Validate and show what would be sent where");
  cmd->callback([&ctx, args, sessions] { ctx.exit_code = run_restore(ctx, *args, sessions); });
}

}  // namespace agent::mongo
