#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "agent/vzdump/archive_verifier.hpp"
#include "agent/vzdump/notes.hpp"
#include "proxmox/types.hpp"

// The local record of one vzdump archive the agent made and verified, for `status`.
//
// File: <state_dir>/<target>/vzdump/<sanitised volid>.json, where the volid's characters
// outside [A-Za-z0-9._-] become '_' (e.g.
// local_backup_vzdump-lxc-106-2025_12_07-01_00_02.tar.zst.json). Written atomically (temporary
// file, fsync, rename), one JSON object:
//   {"format": 1, "tier": "vzdump", "target": "prod-cloud", "vmid": 106,
//    "node": "pve1", "storage": "local", "volid": "local:backup/vzdump-lxc-106-....tar.zst",
//    "path": "/var/lib/vz/dump/vzdump-lxc-106-....tar.zst", "run_id": "20251207T010002Z",
//    "ctime": 1765069202, "size": 123456, "sha256": "<64 lowercase hex>",
//    "verdict": "verified" | "corrupt" | "unreadable" | "unsupported",
//    "problem": "" (why, when not verified), "compression": "zstd",
//    "tar_entries": 1234, "tar_bytes": 567890, "checked_at": "2025-12-07T01:04:10Z",
//    "task_exitstatus": "OK" | "WARNINGS: n",
//    "notes_rest": "<the operator's notes lines after the agent's first line>",
//    "verify_state": "verified" | "failed" | "unverified" | "pbs_verified" | "pbs_failed" |
//                    "pbs_pending" | "not_verifiable"}
// verify_state is what the notes say (notes.hpp VerifyState); records of earlier versions
// have none and take it from the verdict. An archive that was not read here (PBS, not
// verifiable here, adopted unread) has verdict "unreadable", an empty sha256 and `path` as
// Proxmox reported it ("pbs://..." on PBS).
// A record is removed when the agent prunes its archive.
namespace agent {

struct BackupRecord {
  std::string target;
  std::int64_t vmid = 0;
  std::string node;
  std::string storage;
  std::string volid;
  std::string path;
  std::string run_id;
  std::int64_t ctime = 0;
  std::uint64_t size = 0;
  std::string sha256;
  ArchiveVerdict verdict = ArchiveVerdict::unreadable;
  std::string problem;
  std::string compression;
  std::uint64_t tar_entries = 0;
  std::uint64_t tar_bytes = 0;
  std::string checked_at;  // RFC 3339 UTC
  std::string task_exitstatus;
  std::string notes_rest;
  std::optional<VerifyState> verify_state;  // nullopt in records of earlier versions
};

// The record's state: verify_state, else verified/failed from the verdict.
VerifyState state_of(const BackupRecord& record);

// "verified", "failed", "unverified", "pbs_verified", ... (the record's words).
const char* record_word(VerifyState state);
std::optional<VerifyState> parse_record_word(std::string_view word);

std::filesystem::path backup_record_path(const std::filesystem::path& state_dir,
                                         const std::string& target, const std::string& volid);

tl::expected<void, std::string> write_backup_record(const std::filesystem::path& state_dir,
                                                    const BackupRecord& record);

// nullopt when there is no (readable) record for the volid.
std::optional<BackupRecord> read_backup_record(const std::filesystem::path& state_dir,
                                               const std::string& target, const std::string& volid);

// Every readable record of `target` (unreadable ones are skipped).
std::vector<BackupRecord> read_backup_records(const std::filesystem::path& state_dir,
                                              const std::string& target);

// volid -> verify state of every archive of `listing`: a PBS snapshot's from its listing
// entry (`verification`, refreshed on every listing: ok, failed, none yet), any other's from
// its local record, and "not verified" without one (the notes alone never make an archive
// verified or failed: they are remote text).
std::map<std::string, VerifyState> known_verify_states(
    const std::filesystem::path& state_dir, const std::string& target,
    const std::vector<proxmox::BackupVolume>& listing);

// A PBS snapshot's state from its listing entry.
VerifyState pbs_state(const proxmox::BackupVolume& volume);

// Volids of the target's records of `vmid` on `storage` that `listing` no longer has, sorted:
// archives the agent made and did not delete (it drops a record when it deletes the archive).
std::vector<std::string> vanished_records(const std::filesystem::path& state_dir,
                                          const std::string& target, std::int64_t vmid,
                                          const std::string& storage,
                                          const std::vector<proxmox::BackupVolume>& listing);

void remove_backup_record(const std::filesystem::path& state_dir, const std::string& target,
                          const std::string& volid);

}  // namespace agent
