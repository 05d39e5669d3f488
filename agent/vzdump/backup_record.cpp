#include "agent/vzdump/backup_record.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "agent/core/atomic_file.hpp"
#include "proxmox/backup_name.hpp"

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

const char* record_word(VerifyState state) {
  switch (state) {
    case VerifyState::verified:
      return "verified";
    case VerifyState::failed:
      return "failed";
    case VerifyState::unverified:
      return "unverified";
    case VerifyState::pbs_verified:
      return "pbs_verified";
    case VerifyState::pbs_failed:
      return "pbs_failed";
    case VerifyState::pbs_pending:
      return "pbs_pending";
    case VerifyState::not_verifiable:
      return "not_verifiable";
  }
  return "unverified";
}

std::optional<VerifyState> parse_record_word(std::string_view word) {
  for (const auto s : {VerifyState::verified, VerifyState::failed, VerifyState::unverified,
                       VerifyState::pbs_verified, VerifyState::pbs_failed, VerifyState::pbs_pending,
                       VerifyState::not_verifiable}) {
    if (word == record_word(s)) return s;
  }
  return std::nullopt;
}

VerifyState state_of(const BackupRecord& record) {
  if (record.verify_state) return *record.verify_state;
  return record.verdict == ArchiveVerdict::verified ? VerifyState::verified : VerifyState::failed;
}

}  // namespace agent

namespace nlohmann {
// verify_state: a word, absent when unset; an unknown word makes the record unreadable.
template <>
struct adl_serializer<std::optional<agent::VerifyState>> {
  static void to_json(json& j, const std::optional<agent::VerifyState>& s) {
    j = s ? json(agent::record_word(*s)) : json(nullptr);
  }
  static void from_json(const json& j, std::optional<agent::VerifyState>& s) {
    if (j.is_null()) {
      s.reset();
      return;
    }
    s = agent::parse_record_word(j.get<std::string>());
    if (!s) throw json::other_error::create(501, "unknown verify_state", &j);
  }
};
}  // namespace nlohmann

namespace agent {

// The JSON keys are the member names (the file format in backup_record.hpp); a missing key
// reads as the member's default.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BackupRecord, target, vmid, node, storage, volid,
                                                path, run_id, ctime, size, sha256, verdict, problem,
                                                compression, tar_entries, tar_bytes, checked_at,
                                                task_exitstatus, notes_rest, verify_state)

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

VerifyState pbs_state(const proxmox::BackupVolume& volume) {
  if (!volume.verification) return VerifyState::pbs_pending;
  if (volume.verification->state == "ok") return VerifyState::pbs_verified;
  if (volume.verification->state == "failed") return VerifyState::pbs_failed;
  return VerifyState::pbs_pending;  // a state PBS may add later: not a verdict yet
}

std::map<std::string, VerifyState> known_verify_states(
    const std::filesystem::path& state_dir, const std::string& target,
    const std::vector<proxmox::BackupVolume>& listing) {
  std::map<std::string, VerifyState> out;
  for (const auto& v : listing) {
    if (proxmox::parse_backup_volid(v.volid).form == proxmox::BackupNameForm::pbs_snapshot) {
      out[v.volid] = pbs_state(v);
    } else if (auto record = read_backup_record(state_dir, target, v.volid)) {
      out[v.volid] = state_of(*record);
    } else {
      out[v.volid] = VerifyState::unverified;
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
