#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/mongo/dump_limits.hpp"
#include "agent/tier/tier_name.hpp"

// One re-check of one stored backup, read again from disk (`pve-smokerbak validate`).
namespace agent::validate {

// What a re-checked backup is; its word ("archive", "directory", "archive-file", "vzdump") is
// the `form` of `validate --json`.
enum class BackupForm {
  archive,       // backup-*/ with manifest.json (what the mongo tier publishes)
  directory,     // a mongodump --out dump
  archive_file,  // a bare mongodump archive
  vzdump,        // a vzdump .tar[.zst|.gz]
};
const char* to_string(BackupForm form);

struct BackupCheck {
  std::string target;  // empty when the backup was named by path without a config
  TierName tier = TierName::mongo;
  std::string id;  // backup directory or archive file name
  std::filesystem::path path;
  BackupForm form = BackupForm::archive;
  bool valid = false;
  std::vector<std::string> errors, warnings;
  std::uint64_t documents = 0;  // mongo: all namespaces
  std::uint64_t size = 0;       // bytes on disk (archive file, or sum of a dump's files)
  // When the backup was made (manifest start, vzdump ctime, else the newest file's mtime):
  // orders backups for the history checks.
  std::optional<std::int64_t> started_at;
  std::map<std::string, std::uint64_t> collections;  // "db.coll" -> documents
};

// A check not yet judged (valid = false, no findings) of the backup at `path`; its id is the
// file or directory name.
BackupCheck new_check(TierName tier, BackupForm form, const std::filesystem::path& path);

// An archive-form mongo backup directory: reads manifest.json, re-reads the archive once for
// SHA-256 (must equal the manifest's) and full validation, and compares each namespace's
// document count with the counts the manifest recorded from mongodump's log and the archive.
// `limits` bound every read (the target's mongo.* limits; the defaults for a path given alone).
BackupCheck check_archive_backup(
    const std::filesystem::path& dir,
    const mongo_format::ArchiveLimits& limits = mongo::stored_limits());

// A directory-form dump (the dump root or one <db>/ folder).
BackupCheck check_directory_dump(
    const std::filesystem::path& dir,
    const mongo_format::ArchiveLimits& limits = mongo::stored_limits());

// A bare mongodump archive file (`.gz` means `--gzip`); no manifest, so no SHA-256 check.
BackupCheck check_archive_file(const std::filesystem::path& file,
                               const mongo_format::ArchiveLimits& limits = mongo::stored_limits());

// True when `dir` holds mongodump --out output: <coll>.bson[.gz] files directly (a <db>/
// folder) or in its subfolders (a dump root).
bool looks_like_directory_dump(const std::filesystem::path& dir);

// Sum of the regular files' sizes under `dir`, and the newest mtime (epoch seconds).
std::uint64_t tree_size(const std::filesystem::path& dir, std::int64_t* newest_mtime = nullptr);

}  // namespace agent::validate
