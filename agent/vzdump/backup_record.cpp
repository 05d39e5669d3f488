#include "agent/vzdump/backup_record.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "agent/core/atomic_file.hpp"

namespace agent {
namespace {

std::string sanitise(const std::string& volid) {
  std::string out;
  for (char c : volid) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    out += keep ? c : '_';
  }
  return out;
}

}  // namespace

// The verdict is a word in the file; an unknown one makes the record unreadable (it is then
// treated as missing and `validate` reports it), never a silent default.
void to_json(nlohmann::json& j, const ArchiveVerdict& v) { j = to_string(v); }
void from_json(const nlohmann::json& j, ArchiveVerdict& v) {
  const auto parsed = parse_archive_verdict(j.get<std::string>());
  if (!parsed) {
    throw nlohmann::json::other_error::create(
        501, "unknown verdict \"" + j.get<std::string>() + "\"", &j);
  }
  v = *parsed;
}

// The JSON keys are the member names (the file format in backup_record.hpp); a missing key
// reads as the member's default.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BackupRecord, target, vmid, node, storage, volid,
                                                path, run_id, ctime, size, sha256, verdict, problem,
                                                compression, tar_entries, tar_bytes, checked_at,
                                                task_exitstatus, notes_rest)

std::filesystem::path backup_record_path(const std::filesystem::path& state_dir,
                                         const std::string& target, const std::string& volid) {
  return state_dir / sanitise(target) / "vzdump" / (sanitise(volid) + ".json");
}

tl::expected<void, std::string> write_backup_record(const std::filesystem::path& state_dir,
                                                    const BackupRecord& r) {
  nlohmann::json doc = r;
  doc["format"] = 1;
  doc["tier"] = "vzdump";
  // `validate` trusts the SHA-256 in this file: it must survive a crash right after the run.
  if (auto e = write_file_atomically(backup_record_path(state_dir, r.target, r.volid),
                                     doc.dump(2) + "\n")) {
    return tl::unexpected(*e);
  }
  return {};
}

std::optional<BackupRecord> read_backup_record(const std::filesystem::path& state_dir,
                                               const std::string& target,
                                               const std::string& volid) {
  std::ifstream in(backup_record_path(state_dir, target, volid));
  if (!in) return std::nullopt;
  try {
    return nlohmann::json::parse(in).get<BackupRecord>();
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged record is treated as missing; the next run rewrites it
  }
}

std::vector<BackupRecord> read_backup_records(const std::filesystem::path& state_dir,
                                              const std::string& target) {
  std::vector<BackupRecord> out;
  std::error_code ec;
  const auto folder = backup_record_path(state_dir, target, "x").parent_path();
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    std::ifstream in(it->path());
    try {
      out.push_back(nlohmann::json::parse(in).get<BackupRecord>());
    } catch (const std::exception&) {
      // unreadable: `validate` reports it
    }
  }
  return out;
}

std::map<std::string, bool> recorded_verdicts(const std::filesystem::path& state_dir,
                                              const std::string& target,
                                              const std::vector<proxmox::BackupVolume>& listing) {
  std::map<std::string, bool> out;
  for (const auto& v : listing) {
    if (auto record = read_backup_record(state_dir, target, v.volid)) {
      out[v.volid] = record->verdict == ArchiveVerdict::verified;
    }
  }
  return out;
}

std::vector<std::string> vanished_records(const std::filesystem::path& state_dir,
                                          const std::string& target, std::int64_t vmid,
                                          const std::string& storage,
                                          const std::vector<proxmox::BackupVolume>& listing) {
  std::set<std::string> listed;
  for (const auto& v : listing) listed.insert(v.volid);
  std::vector<std::string> gone;
  for (const auto& record : read_backup_records(state_dir, target)) {
    if (record.storage == storage && record.vmid == vmid && !listed.count(record.volid)) {
      gone.push_back(record.volid);
    }
  }
  std::sort(gone.begin(), gone.end());
  return gone;
}

void remove_backup_record(const std::filesystem::path& state_dir, const std::string& target,
                          const std::string& volid) {
  std::error_code ec;
  std::filesystem::remove(backup_record_path(state_dir, target, volid), ec);
}

}  // namespace agent
