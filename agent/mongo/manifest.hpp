#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

// manifest.json of one mongo backup directory: what was dumped, when, how big, its SHA-256,
// the per-collection document counts (from mongodump's log and from parsing the archive), the
// tool/server versions from the archive header, the paired vzdump volid and the verdict.
namespace agent::mongo {

inline constexpr const char* k_manifest_format = "pve-smokerbak-mongo-backup/1";

struct CollectionCount {
  std::string ns;                              // "db.collection"
  std::optional<std::uint64_t> log_documents;  // "done dumping ns (N documents)"
  std::optional<std::uint64_t> archive_documents;
  std::string crc64;  // hex, as computed
  bool crc_ok = false;
};

struct Manifest {
  std::string backup_id;  // directory name, "backup-YYYYMMDD-HHMMSS"
  std::string run_id;
  std::string target;
  std::string database;  // "" for a whole-instance dump (mongo.oplog)
  // mongodump --oplog: the archive holds the oplog captured during the dump, and a restore
  // replays it (mongorestore --oplogReplay).
  bool oplog = false;
  std::int64_t started_at = 0;   // epoch seconds (run start; retention ctime)
  std::int64_t finished_at = 0;  // epoch seconds
  std::string archive_file;      // "<database>.archive.gz", "instance.archive.gz" with oplog
  std::uint64_t size = 0;
  std::string sha256;
  std::string tool_version, server_version;
  std::optional<std::string> vzdump_volid;
  std::vector<CollectionCount> collections;
  int mongodump_exit = -1;
  bool valid = false;
  std::vector<std::string> errors, warnings;
};

std::string manifest_to_json(const Manifest& m);
tl::expected<Manifest, std::string> read_manifest(const std::filesystem::path& file);

}  // namespace agent::mongo
