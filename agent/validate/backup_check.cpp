#include "agent/validate/backup_check.hpp"

#include <chrono>
#include <system_error>
#include <utility>

#include "agent/core/progress.hpp"
#include "agent/mongo/archive_check.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/mongo_format/archive_validator.hpp"
#include "agent/mongo_format/directory_dump.hpp"

namespace agent::validate {
namespace fs = std::filesystem;

namespace {

bool is_bson_file(const fs::path& p) {
  const std::string name = p.filename().string();
  auto ends = [&](const std::string& s) {
    return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".bson") || ends(".bson.gz");
}

bool has_bson_file(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && is_bson_file(it->path())) return true;
  }
  return false;
}

std::int64_t to_epoch(fs::file_time_type t) {
  const auto sys = fs::file_time_type::clock::to_sys(t);
  return std::chrono::duration_cast<std::chrono::seconds>(sys.time_since_epoch()).count();
}

// Copies the validator's findings into the check.
void take_verdict(BackupCheck& c, const mongo_format::ArchiveVerdict& v) {
  c.errors.insert(c.errors.end(), v.errors.begin(), v.errors.end());
  c.warnings.insert(c.warnings.end(), v.warnings.begin(), v.warnings.end());
  c.documents = v.total_documents();
  for (const auto& ns : v.namespaces) c.collections[ns.db + "." + ns.collection] = ns.documents;
}

}  // namespace

std::uint64_t tree_size(const fs::path& dir, std::int64_t* newest_mtime) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    total += it->file_size(ec);
    if (newest_mtime) {
      const auto t = it->last_write_time(ec);
      if (!ec) *newest_mtime = std::max(*newest_mtime, to_epoch(t));
    }
  }
  return total;
}

bool looks_like_directory_dump(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  if (has_bson_file(dir)) return true;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && has_bson_file(it->path())) return true;
  }
  return false;
}

const char* to_string(BackupForm form) {
  switch (form) {
    case BackupForm::archive:
      return "archive";
    case BackupForm::directory:
      return "directory";
    case BackupForm::archive_file:
      return "archive-file";
    case BackupForm::vzdump:
      return "vzdump";
  }
  return "archive";
}

BackupCheck new_check(TierName tier, BackupForm form, const fs::path& path) {
  BackupCheck c;
  c.tier = tier;
  c.form = form;
  c.path = path;
  c.id = path.filename().string();
  return c;
}

BackupCheck check_archive_backup(const fs::path& dir, const mongo_format::ArchiveLimits& limits) {
  BackupCheck c = new_check(TierName::mongo, BackupForm::archive, dir);
  auto manifest = mongo::read_manifest(dir / "manifest.json");
  if (!manifest) {
    c.errors.push_back(manifest.error());
    return c;
  }
  const mongo::Manifest& m = *manifest;
  c.target = m.target;
  c.started_at = m.started_at;
  if (!m.valid) c.errors.push_back("manifest.json records this backup as invalid");
  if (m.archive_file.empty() || m.archive_file.find('/') != std::string::npos) {
    c.errors.push_back("manifest.json names no usable archive file ('" + m.archive_file + "')");
    return c;
  }
  const fs::path archive = dir / m.archive_file;
  ProgressOptions po;
  po.label = "validate: " + c.id + " (mongo)";
  po.total = m.size;
  ProgressReporter progress(std::move(po), monotonic_clock());
  const mongo::ArchiveCheck read = mongo::check_stored_archive(
      archive, [&](std::uint64_t n) { progress.advance(n); }, limits);
  progress.finish(read.read_error.empty() ? "read" : "stopped");
  c.size = read.bytes;
  if (!read.read_error.empty()) {
    c.errors.push_back(read.read_error);
    return c;
  }
  if (read.bytes != m.size) {
    c.errors.push_back(m.archive_file + " is " + std::to_string(read.bytes) +
                       " bytes but manifest.json records " + std::to_string(m.size) +
                       " (truncated or replaced)");
  }
  if (read.sha256 != m.sha256) {
    c.errors.push_back(
        "SHA-256 of " + m.archive_file + " is " + read.sha256 + " but manifest.json records " +
        (m.sha256.empty() ? std::string("none") : m.sha256) + " (bit rot or tampering)");
  }
  take_verdict(c, read.verdict);
  // Counts now versus what the backup run recorded (mongodump's log first, else the archive).
  for (const auto& col : m.collections) {
    const auto expected = col.log_documents ? col.log_documents : col.archive_documents;
    if (!expected) continue;
    const auto it = c.collections.find(col.ns);
    if (it == c.collections.end()) {
      c.errors.push_back("collection " + col.ns + " is in manifest.json but not in the archive");
    } else if (it->second != *expected) {
      c.errors.push_back("collection " + col.ns + " has " + std::to_string(it->second) +
                         " documents but manifest.json records " + std::to_string(*expected));
    }
  }
  for (const auto& [ns, n] : c.collections) {
    bool known = m.collections.empty();
    for (const auto& col : m.collections) known = known || col.ns == ns;
    if (!known)
      c.errors.push_back("collection " + ns + " is in the archive but not in manifest.json");
  }
  c.valid = c.errors.empty() && read.verdict.valid;
  if (!read.verdict.valid && c.errors.empty()) c.errors.push_back("archive validation failed");
  return c;
}

BackupCheck check_directory_dump(const fs::path& dir, const mongo_format::ArchiveLimits& limits) {
  BackupCheck c = new_check(TierName::mongo, BackupForm::directory, dir);
  std::int64_t newest = 0;
  c.size = tree_size(dir, &newest);
  if (newest > 0) c.started_at = newest;
  const auto v = mongo_format::validate_directory_dump(dir, limits);
  take_verdict(c, v);
  c.valid = v.valid && c.errors.empty();
  if (!c.valid && c.errors.empty()) c.errors.push_back("directory dump validation failed");
  return c;
}

BackupCheck check_archive_file(const fs::path& file, const mongo_format::ArchiveLimits& limits) {
  BackupCheck c = new_check(TierName::mongo, BackupForm::archive_file, file);
  std::error_code ec;
  c.size = fs::file_size(file, ec);
  const auto t = fs::last_write_time(file, ec);
  if (!ec) c.started_at = to_epoch(t);
  const auto v = mongo_format::validate_archive_file(file, file.extension() == ".gz", limits);
  take_verdict(c, v);
  c.valid = v.valid && c.errors.empty();
  if (!c.valid && c.errors.empty()) c.errors.push_back("archive validation failed");
  return c;
}

}  // namespace agent::validate
