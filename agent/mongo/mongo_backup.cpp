#include "agent/mongo/mongo_backup.hpp"

#include <cstdio>
#include <fstream>
#include <map>

#include <spdlog/spdlog.h>

#include "agent/config/config_loader.hpp"
#include "agent/core/atomic_file.hpp"
#include "agent/core/human_format.hpp"
#include "agent/core/progress.hpp"
#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/dump_pipeline.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/mongo/mongo_commands.hpp"
#include "agent/mongo/validation_report.hpp"
#include "agent/mongo_format/dump_log.hpp"
#include "agent/core/local_time.hpp"

namespace agent::mongo {
namespace {

using std::chrono::system_clock;

std::int64_t epoch_of(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// "YYYYMMDD-HHMMSS" of the run start in the configured zone.
tl::expected<std::string, std::string> stamp_of(const Config& config, std::int64_t epoch) {
  auto zone = ZoneCalendar::open(config.timezone);
  if (!zone) return tl::make_unexpected(zone.error());
  const auto c = zone->civil(epoch);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d-%02d%02d%02d", static_cast<int>(c.year), c.month,
                c.day, c.hour, c.minute, c.second);
  return std::string(buf);
}

TierOutcome failed(std::string error) {
  TierOutcome o;
  o.state = TierState::failed;
  o.error = std::move(error);
  return o;
}

// Why mongodump failed, from its exit and its `Failed:` line, in words an operator can act on.
std::string mongodump_failure(const remote::ExitStatus& st, const mongo_format::DumpLog& log) {
  std::string what = st.signal ? "mongodump was killed by signal " + *st.signal
                               : "mongodump exited with status " + std::to_string(st.code);
  if (log.failed) {
    const std::string line = redact_mongo_line(*log.failed);
    if (line.find("Authentication failed") != std::string::npos ||
        line.find("AuthenticationFailed") != std::string::npos) {
      return "wrong MongoDB username or password (" + what + ": Failed: " + line +
             "); check mongo.username, mongo.auth_db and the password file";
    }
    return what + ": Failed: " + line;
  }
  return what + " without a Failed: line; see mongodump.log";
}

std::string transport_failure(const remote::Error& e) {
  switch (e.kind) {
    case remote::Error::Kind::disconnected:
      return "SSH connection lost at " + std::to_string(e.stdout_bytes) +
             " bytes of the dump: " + e.message;
    case remote::Error::Kind::timeout:
      return "dump stalled: " + e.message;
    default:
      return e.message;
  }
}

void fill_counts(Manifest& m, const mongo_format::ArchiveVerdict& v,
                 const mongo_format::DumpLog& log) {
  std::map<std::string, CollectionCount> by_ns;
  for (const auto& ns : v.namespaces) {
    auto& c = by_ns[ns.db + "." + ns.collection];
    c.ns = ns.db + "." + ns.collection;
    c.archive_documents = ns.documents;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(ns.crc64));
    c.crc64 = hex;
    c.crc_ok = ns.crc_ok;
  }
  for (const auto& [ns, n] : log.done_counts) {
    auto& c = by_ns[ns];
    c.ns = ns;
    c.log_documents = n;
  }
  for (auto& [ns, c] : by_ns) m.collections.push_back(std::move(c));
}

}  // namespace

remote::SshOptions ssh_options(const SshConfig& ssh) {
  remote::SshOptions o;
  o.host = ssh.host;
  o.port = ssh.port;
  o.user = ssh.user;
  o.identity_file = ssh.identity_file;
  o.known_hosts = ssh.known_hosts;
  o.connect_timeout_s = ssh.connect_timeout_s;
  o.io_timeout_s = ssh.io_timeout_s;
  return o;
}

TierOutcome run_mongo_backup(const BackupRequest& req, const SessionFactory& sessions) {
  const MongoConfig& mongo = req.mongo;
  const std::int64_t start = epoch_of(req.run_start);
  // The run's clock may be set (PVE_SMOKERBAK_NOW); the finish time is the start on that
  // clock plus the real time elapsed.
  const auto started = std::chrono::steady_clock::now();
  auto stamp = stamp_of(req.config, start);
  if (!stamp) return failed("time zone '" + req.config.timezone + "': " + stamp.error());

  const BackupStore store(mongo.backup_dir);
  for (const auto& leftover : store.remove_partials()) {
    spdlog::warn("mongo: removed {} left by an interrupted run in {}", leftover,
                 mongo.backup_dir.string());
  }
  std::string stdin_text;  // "<password>\n" when auth is configured
  if (uses_auth(mongo)) {
    auto password = read_secret(mongo.password);
    if (!password) return failed("cannot read the MongoDB password: " + password.error());
    stdin_text = *password + "\n";
  }

  auto name = store.create_partial(*stamp);
  if (!name) return failed(name.error());
  const auto partial = store.partial_dir(*name);

  Manifest m;
  m.backup_id = *name;
  m.run_id = req.run_id;
  m.target = req.target.name;
  m.database = mongo.database;
  m.started_at = start;
  m.archive_file = mongo.database + ".archive.gz";
  m.vzdump_volid = req.vzdump_volid;

  // The valid backups before this run: the size estimate for progress and the shrink check.
  const auto previous = store.list_valid();
  std::string failure;
  std::string stderr_text;
  mongo_format::DumpLog log;
  {
    std::ofstream log_file(partial / "mongodump.log");
    const auto command = dump_command(mongo);
    auto session = sessions(ssh_options(mongo.ssh));
    if (!session) {
      failure = session.error().message;
    } else {
      spdlog::info("mongo: dumping {} over SSH {}", mongo.database, (*session)->describe());
      DumpPipeline pipe(partial / m.archive_file);
      // mongodump's output size is unknown up front; the previous valid backup's archive
      // size is the estimate for percent and ETA.
      ProgressOptions po;
      po.label = "mongo: dump of " + mongo.database;
      if (!previous.empty()) po.estimate = previous.back().manifest.size;
      ProgressReporter progress(std::move(po), monotonic_clock());
      auto status = (*session)->exec(
          command, remote::stdin_from_string(std::move(stdin_text)),
          [&pipe, &progress](const std::uint8_t* d, std::size_t n) {
            progress.advance(n);
            return pipe.push(d, n);
          },
          [&](std::string_view line) {
            const std::string clean = redact_mongo_line(line);
            log_file << clean << "\n";
            stderr_text.append(line).push_back('\n');
            spdlog::debug("mongodump: {}", clean);
          });
      auto result = pipe.finish();
      progress.finish(status && status->success() ? "received" : "stopped");
      log = mongo_format::parse_dump_log(stderr_text);
      mongo_format::check_counts(result.verdict, log);
      m.size = result.bytes;
      m.sha256 = result.sha256;
      m.tool_version = result.verdict.tool_version;
      m.server_version = result.verdict.server_version;
      m.errors = result.verdict.errors;
      m.warnings = result.verdict.warnings;
      fill_counts(m, result.verdict, log);
      if (!status) {
        failure = transport_failure(status.error());
      } else {
        m.mongodump_exit = status->signal ? -1 : status->code;
        if (!status->success()) failure = mongodump_failure(*status, log);
      }
      if (failure.empty() && result.write_error) failure = "local disk: " + *result.write_error;
      if (failure.empty() && !result.verdict.valid) {
        failure =
            "validation failed: " + (result.verdict.errors.empty() ? std::string("archive invalid")
                                                                   : result.verdict.errors.front());
      }
    }
  }
  stderr_text.clear();
  m.finished_at = start + std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
  m.valid = failure.empty();
  if (!failure.empty() && (m.errors.empty() || m.errors.front() != failure)) {
    m.errors.insert(m.errors.begin(), failure);
  }

  TierOutcome out;
  // Shrink check against the previous valid backup (before this one is published).
  if (m.valid && !previous.empty() && mongo.shrink_warn_percent > 0) {
    const auto& prev = previous.back().manifest;
    if (m.size * 100 < prev.size * static_cast<std::uint64_t>(100 - mongo.shrink_warn_percent)) {
      out.warnings.push_back("The mongo dump of " + req.target.name + " is " + human_bytes(m.size) +
                             ", much smaller than the previous one (" + prev.backup_id + ", " +
                             human_bytes(prev.size) + "); check that no data was lost.");
    }
  }
  m.warnings.insert(m.warnings.end(), out.warnings.begin(), out.warnings.end());
  if (auto e = write_file_atomically(partial / "manifest.json", manifest_to_json(m))) {
    if (m.valid) {
      m.valid = false;
      failure = *e;
    }
  }

  if (m.valid) {
    if (auto e = store.publish(*name)) {
      failure = *e;
      m.valid = false;
    } else if (auto l = store.point_latest(*name)) {
      out.warnings.push_back("Backup " + *name + " is valid but `latest` was not updated: " + *l);
    }
  }
  if (!m.valid) {
    const std::string failed_name = "failed-" + *stamp;
    if (auto e = store.keep_failed(*name, *stamp)) {
      spdlog::error("mongo: {}", *e);
    }
    m.backup_id = failed_name;
  }
  if (auto e = write_validation_report(mongo.backup_dir, m, m.valid ? "published" : "failed")) {
    out.warnings.push_back("Validation report not written: " + *e);
  }
  if (!m.valid) {
    auto f = failed("mongo backup of " + req.target.name + " failed: " + failure +
                    " (attempt kept as " + (mongo.backup_dir / m.backup_id).string() +
                    "; earlier backups and `latest` are unchanged)");
    f.warnings = out.warnings;
    if (failure.rfind("validation failed", 0) == 0) f.validation_ok = false;
    return f;
  }
  std::uint64_t docs = 0;
  for (const auto& c : m.collections) docs += c.archive_documents.value_or(0);
  out.state = out.warnings.empty() ? TierState::ok : TierState::warning;
  out.backup_id = *name;
  out.backup_bytes = m.size;
  out.validation_ok = true;
  out.summary = "mongo backup " + *name + ": " + human_bytes(m.size) + ", " +
                std::to_string(m.collections.size()) + " collections, " + std::to_string(docs) +
                " documents verified";
  return out;
}

}  // namespace agent::mongo
