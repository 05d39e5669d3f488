#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "agent/mongo/manifest.hpp"

// The mongo tier's local layout under backup_dir:
//   backup-YYYYMMDD-HHMMSS/      a valid backup (archive, mongodump.log, manifest.json)
//   backup-YYYYMMDD-HHMMSS.partial/   a run in progress (or a crashed one; removed next run)
//   failed-YYYYMMDD-HHMMSS/      the newest failed attempt, kept as evidence (only one)
//   latest -> backup-…           the newest valid backup, replaced atomically
//   validation-report.txt/.json  the last run's verdict
namespace agent::mongo {

struct StoredBackup {
  std::string id;  // directory name
  std::filesystem::path dir;
  Manifest manifest;
};

class BackupStore {
 public:
  explicit BackupStore(std::filesystem::path root) : m_root(std::move(root)) {}
  const std::filesystem::path& root() const { return m_root; }

  // Removes leftovers of interrupted runs (*.partial, latest.tmp); returns what was removed.
  std::vector<std::string> remove_partials() const;
  // Backups whose manifest says valid, oldest first. Other directories are ignored.
  std::vector<StoredBackup> list_valid() const;
  // The name `latest` points to, if any.
  std::optional<std::string> latest() const;
  // "latest" or a backup directory name -> the valid backup.
  tl::expected<StoredBackup, std::string> resolve(const std::string& id) const;

  // A fresh "backup-STAMP" name (suffix -2, -3 … if taken) and its .partial directory, created.
  tl::expected<std::string, std::string> create_partial(const std::string& stamp) const;
  std::filesystem::path partial_dir(const std::string& name) const {
    return m_root / (name + ".partial");
  }
  // fsyncs the partial tree and renames it to `name`.
  std::optional<std::string> publish(const std::string& name) const;
  // Renames the partial to failed-STAMP and removes older failed-* directories.
  std::optional<std::string> keep_failed(const std::string& name, const std::string& stamp) const;
  // Points `latest` at `name` atomically (symlink latest.tmp, rename over latest).
  std::optional<std::string> point_latest(const std::string& name) const;
  // Deletes a backup directory (never what `latest` points to).
  std::optional<std::string> remove_backup(const std::string& name) const;

 private:
  std::filesystem::path m_root;
};

// fsync of a directory (after renames in it) or a file.
bool fsync_path(const std::filesystem::path& path);

}  // namespace agent::mongo
