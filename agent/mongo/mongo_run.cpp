#include "agent/mongo/mongo_run.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>

#include <spdlog/spdlog.h>

#include "agent/config/config_loader.hpp"
#include "agent/core/atomic_file.hpp"
#include "agent/core/bounded_log.hpp"
#include "agent/core/disk_space.hpp"
#include "agent/core/human_format.hpp"
#include "agent/core/local_time.hpp"
#include "agent/core/progress.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/core/secret_memory.hpp"
#include "agent/mongo/dump_limits.hpp"
#include "agent/mongo/dump_pipeline.hpp"
#include "agent/mongo/mongo_commands.hpp"
#include "agent/mongo/mongo_prune.hpp"
#include "agent/mongo/redact.hpp"
#include "agent/mongo/validation_report.hpp"
#include "agent/mongo_format/dump_log.hpp"

namespace agent::mongo {
namespace {

using Kind = TierError::Kind;

std::int64_t epoch_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Why mongodump failed, from its exit and its `Failed:` line, in words an operator can act on.
TierError mongodump_failure(const remote::ExitStatus& st, const mongo_format::DumpLog& log) {
  std::string what = st.signal ? "mongodump was killed by signal " + *st.signal
                               : "mongodump exited with status " + std::to_string(st.code);
  if (!log.failed) return {Kind::refused, what + " without a Failed: line; see mongodump.log"};
  // Redacted, control characters and invalid UTF-8 escaped: the container wrote it.
  const std::string line = mongo_format::failure_text(log);
  if (mongo_format::failure_cause(log) == mongo_format::FailureCause::authentication) {
    return {Kind::access, "wrong MongoDB username or password (" + what + ": Failed: " + line +
                              "); check mongo.username, mongo.auth_db and the password file"};
  }
  return {Kind::refused, what + ": Failed: " + line};
}

// The password line from `text` itself, so no copy outlives the wipe after the dump.
remote::StdinSource stdin_from(const std::string& text) {
  auto offset = std::make_shared<std::size_t>(0);
  return [&text, offset](char* buf, std::size_t size) -> std::optional<std::size_t> {
    const std::size_t n = std::min(size, text.size() - *offset);
    std::memcpy(buf, text.data() + *offset, n);
    *offset += n;
    return n;
  };
}

TierError transport_failure(const remote::Error& e, const MongoLimits& limits) {
  TierError error = tier_error_of(e);
  switch (e.kind) {
    case remote::Error::Kind::deadline:
      error.message = "the dump ran longer than mongo.max_duration_s (" +
                      std::to_string(limits.max_duration_s) + " s) and was stopped after " +
                      std::to_string(e.stdout_bytes) +
                      " bytes; a container that sends slowly on purpose, or a database that "
                      "outgrew the limit: raise mongo.max_duration_s if the dump is genuine";
      break;
    case remote::Error::Kind::disconnected:
      error.message = "SSH connection lost at " + std::to_string(e.stdout_bytes) +
                      " bytes of the dump: " + e.message;
      break;
    case remote::Error::Kind::timeout:
      error.message = "dump stalled: " + e.message;
      break;
    default:
      break;
  }
  return error;
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
  // The oplog of a --oplog dump (archive namespace "" . "oplog") is counted by its own line,
  // "dumped N oplog entries".
  if (log.oplog_entries) {
    auto& c = by_ns[".oplog"];
    c.ns = ".oplog";
    c.log_documents = *log.oplog_entries;
  }
  for (auto& [ns, c] : by_ns) m.collections.push_back(std::move(c));
}

}  // namespace

MongoRun::MongoRun(const Config& config, const TargetConfig& target, const RunContext& ctx,
                   const SessionFactory& sessions)
    : m_config(config),
      m_target(target),
      m_mongo(*target.mongo),
      m_ctx(ctx),
      m_sessions(sessions),
      m_store(target.mongo->backup_dir) {}

MongoRun::~MongoRun() { wipe(m_stdin_text); }

TierOutcome MongoRun::backup() {
  if (m_ctx.dry_run) return dry_run_outcome();
  // The backup's name: the run start in the configured zone.
  if (auto e = name_backup()) return failed_outcome(*e);
  // Leftovers of an interrupted run go; the password is read before anything is started.
  if (auto e = prepare()) return failed_outcome(*e);
  // backup-STAMP.partial/ for this attempt.
  if (auto e = create_partial()) return failed_outcome(*e);
  // Less free space in backup_dir than the previous backup took: warn before starting.
  check_free_space();
  // mongodump over SSH into the pipeline: written, hashed and validated as it arrives.
  dump();
  // The attempt's verdict and finish time go in the manifest.
  conclude_attempt();
  // Much smaller than the previous valid backup: warn (data may be lost at the source).
  check_shrink();
  // manifest.json: what was dumped, its SHA-256, the counts, the verdict.
  write_manifest();
  // Valid: rename to backup-STAMP and point `latest` at it. Not: keep it as failed-STAMP.
  publish_or_keep_failed();
  // validation-report.txt/.json in backup_dir for people and scripts.
  write_report();
  return backup_outcome();
}

TierOutcome MongoRun::dry_run_outcome() const {
  TierOutcome o;
  o.summary = "dry run: would run `" + dump_command(m_mongo) + "` on " + m_mongo.ssh.user + "@" +
              m_mongo.ssh.host + ":" + std::to_string(m_mongo.ssh.port) +
              " (password on stdin) into " + m_mongo.backup_dir.string();
  return o;
}

std::optional<TierError> MongoRun::name_backup() {
  m_start = epoch_of(m_ctx.run_start);
  // The run's clock may be set (PVE_SMOKERBAK_NOW); the finish time is the start on that
  // clock plus the real time elapsed.
  m_started = std::chrono::steady_clock::now();
  auto zone = ZoneCalendar::open(m_config.timezone);
  if (!zone)
    return TierError{Kind::local_io, "time zone '" + m_config.timezone + "': " + zone.error()};
  const auto c = zone->civil(m_start);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d-%02d%02d%02d", static_cast<int>(c.year), c.month,
                c.day, c.hour, c.minute, c.second);
  m_stamp = buf;
  return std::nullopt;
}

std::optional<TierError> MongoRun::prepare() {
  for (const auto& leftover : m_store.remove_partials()) {
    spdlog::warn("mongo: removed {} left by an interrupted run in {}", leftover,
                 m_mongo.backup_dir.string());
  }
  if (uses_auth(m_mongo)) {
    auto password = read_secret(m_mongo.password);
    if (!password) {
      return TierError{Kind::access, "cannot read the MongoDB password: " + password.error()};
    }
    m_stdin_text.reserve(password->size() + 1);
    m_stdin_text.append(*password).push_back('\n');
    wipe(*password);
  }
  return std::nullopt;
}

std::optional<TierError> MongoRun::create_partial() {
  auto name = m_store.create_partial(m_stamp);
  if (!name) return TierError{Kind::local_io, name.error()};
  m_name = *name;
  m_manifest.backup_id = m_name;
  m_manifest.run_id = m_ctx.run_id;
  m_manifest.target = m_target.name;
  m_manifest.database = m_mongo.database;
  m_manifest.oplog = m_mongo.oplog;
  m_manifest.started_at = m_start;
  m_manifest.archive_file =
      (m_mongo.oplog ? std::string("instance") : m_mongo.database) + ".archive.gz";
  if (auto it = m_ctx.made.find(TierName::vzdump); it != m_ctx.made.end()) {
    m_manifest.vzdump_volid = it->second;
  }
  // The valid backups before this run: the size estimate for progress and the shrink check.
  m_previous = m_store.list_valid();
  return std::nullopt;
}

void MongoRun::check_free_space() {
  // The previous valid backup's size is the best guess of this one's.
  if (m_previous.empty()) return;
  const std::uint64_t expected = m_previous.back().manifest.size;
  const auto free = free_bytes(m_mongo.backup_dir);
  if (!free || *free >= expected + expected / 10) return;
  m_warnings.push_back("backup_dir " + m_mongo.backup_dir.string() + " has " + human_bytes(*free) +
                       " free, but the previous mongo backup (" + m_previous.back().id + ") took " +
                       human_bytes(expected) +
                       ": this dump will likely not fit; free space there or lower the retention");
}

void MongoRun::dump() {
  Manifest& m = m_manifest;
  const auto partial = m_store.partial_dir(m_name);
  std::ofstream log_file(partial / "mongodump.log");
  std::error_code mode_ec;  // private like the archive (0600); the directory is 0700 anyway
  std::filesystem::permissions(
      partial / "mongodump.log",
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, mode_ec);
  auto session = m_sessions(ssh_options(m_mongo));
  if (!session) {
    m_failure = tier_error_of(session.error());
    return;
  }
  spdlog::info("mongo: dumping {} over SSH {}", describe_source(), (*session)->describe());
  std::optional<std::uint64_t> previous_size;
  if (!m_previous.empty()) previous_size = m_previous.back().manifest.size;
  const auto limits = dump_limits(m_mongo.limits, previous_size);
  DumpPipeline pipe(partial / m.archive_file, true, limits);
  // mongodump's output size is unknown up front; the previous valid backup's archive size is
  // the estimate for percent and ETA.
  ProgressOptions po;
  po.label = "mongo: dump of " + describe_source();
  if (previous_size) po.estimate = *previous_size;
  ProgressReporter progress(std::move(po), monotonic_clock());
  // stderr comes from the container: every line is parsed for the counts, but only the first
  // and last stderr_keep_bytes are kept (stored as they come, redacted and escaped).
  mongo_format::DumpLogParser parser;
  BoundedLog kept(m_mongo.limits.stderr_keep_bytes, m_mongo.limits.stderr_keep_bytes);
  auto status = (*session)->exec(
      dump_command(m_mongo), stdin_from(m_stdin_text),
      [&pipe, &progress](const std::uint8_t* d, std::size_t n) {
        progress.advance(n);
        return pipe.push(d, n);
      },
      [&](std::string_view line) {
        parser.add_line(line);
        const std::string clean = escape_control_chars(redact_mongo_line(line));
        if (kept.add_line(clean) == BoundedLog::Kept::head) log_file << clean << "\n";
        spdlog::debug("mongodump: {}", clean);
      });
  log_file << kept.tail_text();
  log_file.close();
  if (kept.cut()) {
    m_warnings.push_back("mongodump wrote " + human_bytes(kept.bytes_seen()) +
                         " of stderr; mongodump.log keeps the first and last " +
                         human_bytes(m_mongo.limits.stderr_keep_bytes) +
                         " (mongo.stderr_keep_bytes)");
  }
  wipe(m_stdin_text);
  auto result = pipe.finish();
  progress.finish(status && status->success() ? "received" : "stopped");
  const auto& log = parser.log();
  mongo_format::check_counts(result.verdict, log);
  check_oplog(result.verdict);
  m.size = result.bytes;
  m.sha256 = result.sha256;
  m.tool_version = result.verdict.tool_version;
  m.server_version = result.verdict.server_version;
  m.errors = result.verdict.errors;
  m.warnings = result.verdict.warnings;
  fill_counts(m, result.verdict, log);
  if (result.write_error) {
    // The disk is the cause even when the transfer then stopped ("output receiver stopped").
    m_failure = disk_failure(result);
  } else if (!status) {
    m_failure = transport_failure(status.error(), m_mongo.limits);
  } else if (!status->success()) {
    m_failure = mongodump_failure(*status, log);
  }
  if (status) m.mongodump_exit = status->signal ? -1 : status->code;
  if (!m_failure && !result.verdict.valid) {
    m_failure =
        TierError{Kind::invalid, "validation failed: " + (result.verdict.errors.empty()
                                                              ? std::string("archive invalid")
                                                              : result.verdict.errors.front())};
  }
}

TierError MongoRun::disk_failure(const DumpPipeline::Result& result) {
  const auto archive = m_store.partial_dir(m_name) / m_manifest.archive_file;
  std::string message = "local disk: cannot write " + archive.string() + ": " +
                        result.write_error.value_or("write failed");
  if (result.disk_full) {
    // Healed at once: the partial archive would keep the disk full for the next run too. The
    // log and the manifest stay as evidence.
    std::error_code ec;
    std::filesystem::remove(archive, ec);
    const auto free = free_bytes(m_mongo.backup_dir);
    message = "No space left on device in " + m_mongo.backup_dir.string() + " after " +
              human_bytes(result.bytes) + " of the dump (" +
              (free ? human_bytes(*free) + " free now" : std::string("free space unknown")) +
              "); the partial archive was " +
              (ec ? "NOT removed (" + ec.message() + ")" : "removed") +
              ", its log is kept. Free space in backup_dir or lower the retention";
  }
  return TierError{Kind::local_io, message};
}

void MongoRun::check_oplog(mongo_format::ArchiveVerdict& v) const {
  if (!m_mongo.oplog) return;
  for (const auto& ns : v.namespaces) {
    if (ns.db.empty() && ns.collection == "oplog") return;
  }
  v.valid = false;
  v.errors.push_back(
      "mongo.oplog is set but the archive holds no oplog: mongodump did not capture one (is "
      "the server a replica set member? --oplog needs one)");
}

std::string MongoRun::describe_source() const {
  return m_mongo.oplog ? std::string("the whole instance (with oplog)") : m_mongo.database;
}

void MongoRun::conclude_attempt() {
  Manifest& m = m_manifest;
  m.finished_at = m_start + std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::steady_clock::now() - m_started)
                                .count();
  m.valid = !m_failure;
  if (m_failure && (m.errors.empty() || m.errors.front() != m_failure->message)) {
    m.errors.insert(m.errors.begin(), m_failure->message);
  }
}

void MongoRun::check_shrink() {
  Manifest& m = m_manifest;
  // Against the previous valid backup, before this one is published.
  if (m.valid && !m_previous.empty() && m_mongo.shrink_warn_percent > 0) {
    const auto& prev = m_previous.back().manifest;
    if (m.size * 100 < prev.size * static_cast<std::uint64_t>(100 - m_mongo.shrink_warn_percent)) {
      m_warnings.push_back("The mongo dump of " + m_target.name + " is " + human_bytes(m.size) +
                           ", much smaller than the previous one (" + prev.backup_id + ", " +
                           human_bytes(prev.size) + "); check that no data was lost.");
    }
  }
  m.warnings.insert(m.warnings.end(), m_warnings.begin(), m_warnings.end());
}

void MongoRun::write_manifest() {
  Manifest& m = m_manifest;
  if (auto e = write_file_atomically(m_store.partial_dir(m_name) / "manifest.json",
                                     manifest_to_json(m))) {
    if (m.valid) {
      m.valid = false;
      m_failure = TierError{Kind::local_io, *e};
    }
  }
}

void MongoRun::publish_or_keep_failed() {
  Manifest& m = m_manifest;
  if (m.valid) {
    if (auto e = m_store.publish(m_name)) {
      m_failure = TierError{Kind::local_io, *e};
      m.valid = false;
    } else if (auto l = m_store.point_latest(m_name)) {
      m_warnings.push_back("Backup " + m_name + " is valid but `latest` was not updated: " + *l);
    }
  }
  if (!m.valid) {
    if (auto e = m_store.keep_failed(m_name, m_stamp)) spdlog::error("mongo: {}", *e);
    m.backup_id = "failed-" + m_stamp;
  }
}

void MongoRun::write_report() {
  if (auto e = write_validation_report(m_mongo.backup_dir, m_manifest,
                                       m_manifest.valid ? "published" : "failed")) {
    m_warnings.push_back("Validation report not written: " + *e);
  }
}

TierOutcome MongoRun::backup_outcome() const {
  const Manifest& m = m_manifest;
  if (!m.valid) {
    TierError error = m_failure.value_or(TierError{Kind::internal, "the backup is not valid"});
    error.message = "mongo backup of " + m_target.name + " failed: " + error.message +
                    " (attempt kept as " + (m_mongo.backup_dir / m.backup_id).string() +
                    "; earlier backups and `latest` are unchanged)";
    const bool invalid = error.kind == Kind::invalid;
    auto out = failed_outcome(std::move(error), m_warnings);
    if (invalid) out.validation_ok = false;
    return out;
  }
  std::uint64_t docs = 0;
  for (const auto& c : m.collections) docs += c.archive_documents.value_or(0);
  TierOutcome out;
  out.state = state_for(m_warnings);
  out.warnings = m_warnings;
  out.backup_id = m_name;
  out.backup_bytes = m.size;
  out.validation_ok = true;
  out.summary = "mongo backup " + m_name + ": " + human_bytes(m.size) + ", " +
                std::to_string(m.collections.size()) + " collections, " + std::to_string(docs) +
                " documents verified";
  return out;
}

TierOutcome MongoRun::prune() { return prune_mongo(m_config, m_target, m_ctx.dry_run); }

}  // namespace agent::mongo
