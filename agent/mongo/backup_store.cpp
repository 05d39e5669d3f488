#include "agent/mongo/backup_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace agent::mongo {
namespace fs = std::filesystem;
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool fsync_path(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::vector<std::string> BackupStore::remove_partials() const {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(m_root, ec)) {
    const std::string name = e.path().filename().string();
    if (ends_with(name, ".partial") || name == "latest.tmp") {
      fs::remove_all(e.path(), ec);
      removed.push_back(name);
    }
  }
  if (!removed.empty()) fsync_path(m_root);
  return removed;
}

std::vector<StoredBackup> BackupStore::list_valid() const {
  std::vector<StoredBackup> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(m_root, ec)) {
    const std::string name = e.path().filename().string();
    if (!starts_with(name, "backup-") || ends_with(name, ".partial") || e.is_symlink() ||
        !e.is_directory()) {
      continue;
    }
    auto m = read_manifest(e.path() / "manifest.json");
    if (!m || !m->valid) continue;
    out.push_back({name, e.path(), std::move(*m)});
  }
  std::sort(out.begin(), out.end(), [](const StoredBackup& a, const StoredBackup& b) {
    return a.manifest.started_at != b.manifest.started_at
               ? a.manifest.started_at < b.manifest.started_at
               : a.id < b.id;
  });
  return out;
}

std::optional<std::string> BackupStore::latest() const {
  std::error_code ec;
  const auto target = fs::read_symlink(m_root / "latest", ec);
  if (ec) return std::nullopt;
  return target.filename().string();
}

tl::expected<StoredBackup, std::string> BackupStore::resolve(const std::string& id) const {
  std::string name = id;
  if (id == "latest") {
    auto l = latest();
    if (!l) return tl::make_unexpected("no valid backup yet in " + m_root.string());
    name = *l;
  }
  if (name.find('/') != std::string::npos || !starts_with(name, "backup-")) {
    return tl::make_unexpected("'" + id +
                               "' is not a backup name (backup-YYYYMMDD-HHMMSS or "
                               "latest); see `pve-smokerbak status`");
  }
  auto m = read_manifest(m_root / name / "manifest.json");
  if (!m) return tl::make_unexpected("backup " + name + " not found: " + m.error());
  if (!m->valid) return tl::make_unexpected("backup " + name + " is not valid");
  return StoredBackup{name, m_root / name, std::move(*m)};
}

tl::expected<std::string, std::string> BackupStore::create_partial(const std::string& stamp) const {
  std::error_code ec;
  // A new backup_dir and every backup in it are private (0700): they hold the whole database.
  if (fs::create_directories(m_root, ec)) fs::permissions(m_root, fs::perms::owner_all, ec);
  if (ec) return tl::make_unexpected("cannot create " + m_root.string() + ": " + ec.message());
  for (int n = 1; n < 100; ++n) {
    const std::string name = "backup-" + stamp + (n == 1 ? "" : "-" + std::to_string(n));
    if (fs::exists(m_root / name) || fs::exists(partial_dir(name))) continue;
    if (!fs::create_directory(partial_dir(name), ec) || ec) {
      return tl::make_unexpected("cannot create " + partial_dir(name).string() + ": " +
                                 ec.message());
    }
    fs::permissions(partial_dir(name), fs::perms::owner_all, ec);
    return name;
  }
  return tl::make_unexpected("too many backups named backup-" + stamp);
}

std::optional<std::string> BackupStore::publish(const std::string& name) const {
  const fs::path partial = partial_dir(name);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(partial, ec)) fsync_path(e.path());
  fsync_path(partial);
  fs::rename(partial, m_root / name, ec);
  if (ec) return "cannot rename " + partial.string() + ": " + ec.message();
  fsync_path(m_root);
  return std::nullopt;
}

std::optional<std::string> BackupStore::keep_failed(const std::string& name,
                                                    const std::string& stamp) const {
  std::error_code ec;
  const std::string failed = "failed-" + stamp;
  for (const auto& e : fs::directory_iterator(m_root, ec)) {
    const std::string n = e.path().filename().string();
    if (starts_with(n, "failed-")) fs::remove_all(e.path(), ec);
  }
  fs::rename(partial_dir(name), m_root / failed, ec);
  if (ec) return "cannot keep the failed attempt as " + failed + ": " + ec.message();
  fsync_path(m_root);
  return std::nullopt;
}

std::optional<std::string> BackupStore::point_latest(const std::string& name) const {
  const fs::path tmp = m_root / "latest.tmp";
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_directory_symlink(name, tmp, ec);
  if (ec) return "cannot create " + tmp.string() + ": " + ec.message();
  if (::rename(tmp.c_str(), (m_root / "latest").c_str()) != 0) {
    return "cannot replace " + (m_root / "latest").string() + ": " + std::strerror(errno);
  }
  fsync_path(m_root);
  return std::nullopt;
}

std::optional<std::string> BackupStore::remove_backup(const std::string& name) const {
  if (latest() == name) return "refusing to remove " + name + ": latest points to it";
  if (!starts_with(name, "backup-") || name.find('/') != std::string::npos) {
    return "refusing to remove " + name + ": not a backup directory";
  }
  std::error_code ec;
  fs::remove_all(m_root / name, ec);
  if (ec) return "cannot remove " + (m_root / name).string() + ": " + ec.message();
  return std::nullopt;
}

}  // namespace agent::mongo
