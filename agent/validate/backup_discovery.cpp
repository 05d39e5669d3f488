#include "agent/validate/backup_discovery.hpp"

#include <algorithm>
#include <system_error>

#include "agent/validate/vzdump_recheck.hpp"

namespace agent::validate {
namespace fs = std::filesystem;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_vzdump_archive(const std::string& name) {
  for (const char* ext : {".tar", ".tar.zst", ".tar.gz", ".tgz", ".tar.lzo"}) {
    if (ends_with(name, ext)) return true;
  }
  return false;
}

}  // namespace

void sort_oldest_first(std::vector<BackupCheck>& checks) {
  std::stable_sort(checks.begin(), checks.end(), [](const BackupCheck& a, const BackupCheck& b) {
    const auto ka = a.started_at.value_or(INT64_MIN), kb = b.started_at.value_or(INT64_MIN);
    return ka != kb ? ka < kb : a.id < b.id;
  });
}

std::vector<BackupCheck> check_backup_dir(const fs::path& backup_dir, const std::string& target,
                                          const mongo_format::ArchiveLimits& limits) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (fs::directory_iterator it(backup_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_symlink(ec) || !it->is_directory(ec)) continue;
    if (ends_with(name, ".partial") || starts_with(name, "failed-") || name == "latest") continue;
    dirs.push_back(it->path());
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<BackupCheck> out;
  for (const auto& dir : dirs) {
    if (fs::exists(dir / "manifest.json", ec)) {
      out.push_back(check_archive_backup(dir, limits));
    } else if (looks_like_directory_dump(dir)) {
      out.push_back(check_directory_dump(dir, limits));
    } else if (starts_with(dir.filename().string(), "backup-")) {
      // The tier's own layout without its manifest: not a usable backup.
      BackupCheck c = new_check(TierName::mongo, BackupForm::archive, dir);
      c.errors.push_back("manifest.json is missing");
      out.push_back(std::move(c));
    } else {
      continue;
    }
    out.back().target = target;
  }
  sort_oldest_first(out);
  return out;
}

tl::expected<BackupCheck, std::string> check_path(const fs::path& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    return tl::make_unexpected(path.string() + ": no such file or directory");
  if (fs::is_directory(st)) {
    if (fs::exists(path / "manifest.json", ec)) return check_archive_backup(path);
    if (looks_like_directory_dump(path)) return check_directory_dump(path);
    return tl::make_unexpected(path.string() +
                               ": neither a backup directory (no manifest.json) nor a mongodump "
                               "directory dump (no <db>/<collection>.bson[.gz])");
  }
  if (!fs::is_regular_file(st)) return tl::make_unexpected(path.string() + ": not a regular file");
  const std::string name = path.filename().string();
  if (name == "manifest.json") return check_archive_backup(path.parent_path());
  if (is_vzdump_archive(name)) return check_vzdump_file(path);
  return check_archive_file(path);
}

}  // namespace agent::validate
