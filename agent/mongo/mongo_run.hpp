#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/mongo/backup_store.hpp"
#include "agent/mongo/dump_pipeline.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/mongo/ssh_sessions.hpp"
#include "agent/tier/tier.hpp"

// One run of the mongo tier on one target. backup() streams `mongodump --archive --gzip` over
// SSH into backup-STAMP.partial/ while hashing and validating it, then publishes it (rename,
// `latest`) only when mongodump exited 0 and the archive is valid; otherwise it keeps the
// attempt as failed-STAMP/ and fails saying why. It never touches earlier backups or `latest`
// on failure. backup() reads top to bottom as its steps; from the partial directory on, a
// failure is kept in m_failure and the attempt is still written up and kept as evidence.
namespace agent::mongo {

class MongoRun final : public TierRun {
 public:
  MongoRun(const Config& config, const TargetConfig& target, const RunContext& ctx,
           const SessionFactory& sessions);
  ~MongoRun() override;
  MongoRun(const MongoRun&) = delete;
  MongoRun& operator=(const MongoRun&) = delete;

  TierOutcome backup() override;
  TierOutcome prune() override;

 private:
  // The steps of backup(), in order.
  TierOutcome dry_run_outcome() const;
  std::optional<TierError> name_backup();
  std::optional<TierError> prepare();
  std::optional<TierError> create_partial();
  void check_free_space();
  void dump();
  void conclude_attempt();
  void check_shrink();
  void write_manifest();
  void publish_or_keep_failed();
  void write_report();
  TierOutcome backup_outcome() const;
  // Parts of dump().
  TierError disk_failure(const DumpPipeline::Result& result);
  void check_oplog(mongo_format::ArchiveVerdict& verdict) const;
  std::string describe_source() const;  // the database, or the whole instance

  const Config& m_config;
  const TargetConfig& m_target;
  const MongoConfig& m_mongo;
  const RunContext& m_ctx;
  const SessionFactory& m_sessions;
  BackupStore m_store;

  std::int64_t m_start = 0;                         // run start, epoch seconds (on the run's clock)
  std::chrono::steady_clock::time_point m_started;  // for the elapsed time
  std::string m_stamp;       // "YYYYMMDD-HHMMSS" of the run start in the configured zone
  std::string m_stdin_text;  // "<password>\n" when auth is configured
  std::string m_name;        // "backup-STAMP" (or -2, -3 ... when taken)
  std::vector<StoredBackup> m_previous;  // valid backups before this run, oldest first
  Manifest m_manifest;
  std::optional<TierError> m_failure;
  std::vector<std::string> m_warnings;
};

}  // namespace agent::mongo
