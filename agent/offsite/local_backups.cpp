#include "agent/offsite/local_backups.hpp"

#include <unistd.h>

#include <algorithm>

#include "agent/mongo/backup_store.hpp"
#include "agent/offsite/object_names.hpp"
#include "agent/vzdump/backup_record.hpp"

namespace agent::offsite {
namespace {

void add_mongo(const TargetConfig& target, std::vector<LocalBackup>& out) {
  mongo::BackupStore store(target.mongo->backup_dir);
  for (const auto& b : store.list_valid()) {
    LocalBackup l;
    l.tier = TierName::mongo;
    l.id = b.id;
    l.ctime = b.manifest.started_at;
    l.file = b.dir / b.manifest.archive_file;
    l.file_name = b.id + "." + b.manifest.archive_file;
    l.size = b.manifest.size;
    l.sha256 = b.manifest.sha256;
    l.run_id = b.manifest.run_id;
    if (!safe_file_name(b.manifest.archive_file) || !safe_file_name(l.file_name)) {
      l.why_not = "its manifest names an archive file that is not a plain file name";
    } else if (l.sha256.size() != 64) {
      l.why_not = "its manifest has no SHA-256";
    } else if (::access(l.file.c_str(), R_OK) != 0) {
      l.why_not = l.file.string() + " cannot be read";
    } else {
      l.eligible = true;
    }
    out.push_back(std::move(l));
  }
}

void add_vzdump(const Config& config, const TargetConfig& target, std::vector<LocalBackup>& out) {
  for (const auto& r : read_backup_records(config.state_dir, target.name)) {
    if (r.vmid != target.vmid) continue;
    LocalBackup l;
    l.tier = TierName::vzdump;
    l.id = r.volid;
    l.ctime = r.ctime;
    l.file = r.path;
    l.file_name = r.volid.substr(r.volid.rfind('/') + 1);
    l.size = r.size;
    l.sha256 = r.sha256;
    l.run_id = r.run_id;
    if (r.verdict != ArchiveVerdict::verified) {
      // Also covers archives on a storage this node cannot read: not verified here, so not
      // copied from here.
      l.why_not = std::string("it is not verified on this node (") + to_string(r.verdict) +
                  (r.problem.empty() ? "" : ": " + r.problem) + ")";
    } else if (!safe_file_name(l.file_name) || r.sha256.size() != 64) {
      l.why_not = "its backup record is incomplete";
    } else if (r.path.empty() || ::access(r.path.c_str(), R_OK) != 0) {
      l.why_not = "its storage is not readable from this node (" + r.path + ")";
    } else {
      l.eligible = true;
    }
    out.push_back(std::move(l));
  }
}

}  // namespace

std::vector<LocalBackup> local_backups(const Config& config, const TargetConfig& target) {
  std::vector<LocalBackup> out;
  if (target.vzdump) add_vzdump(config, target, out);
  if (target.mongo) add_mongo(target, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.ctime < b.ctime; });
  return out;
}

}  // namespace agent::offsite
