#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "agent/config/config.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/mongo_format/archive_inventory.hpp"
#include "agent/tier/tier_error.hpp"

// The "fetch" step of a mongo drill: where the backup to restore comes from. The local store
// (mongo.backup_dir) now; the off-site copy (fetch, decrypt, validate) once that tier exists.
// Whatever the source, what it hands over has been verified here: the SHA-256 named by the
// manifest, the full archive validation, and its namespaces' shapes (types, index names).
namespace agent::drill {

struct FetchedMongoBackup {
  std::string id;  // backup directory name, "backup-20260101-010000"
  std::int64_t made_at = 0;
  std::filesystem::path archive;  // a local file; valid while the source lives
  std::uint64_t bytes = 0;
  mongo::Manifest manifest;
  std::map<std::string, mongo_format::NamespaceShape> shapes;  // "db.coll" -> type, indexes
  std::vector<std::string> warnings;
};

class MongoBackupSource {
 public:
  virtual ~MongoBackupSource() = default;
  // "local", "offsite": recorded with the drill.
  virtual std::string name() const = 0;
  // `backup`: a backup directory name, "latest", or "" for the newest valid backup.
  // Errors: local_io (cannot read), invalid (does not verify), refused (no such backup).
  virtual tl::expected<FetchedMongoBackup, TierError> fetch(const TargetConfig& target,
                                                            const std::string& backup) = 0;
};

// The backups in mongo.backup_dir.
std::unique_ptr<MongoBackupSource> local_mongo_source();

// One pass over a local archive: its SHA-256 and its inventory (validation included).
struct ArchiveReading {
  std::uint64_t bytes = 0;
  std::string sha256;
  mongo_format::InventoryResult inventory;
  std::string read_error;
};
ArchiveReading read_archive_inventory(const std::filesystem::path& file);

}  // namespace agent::drill
