#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/tier/tier_name.hpp"

// The receipts of a backup's off-site copies: what the off-site tier (agent/offsite) confirmed
// by HEAD after each upload. A backup counts as off-site only with a receipt. Kept apart from
// the tier's own record because the copies outlive the local backup (deletions on the host are
// never mirrored off-site), and readable from this layer so every tier and command can tell
// (the vzdump notes say "off-site").
//
// File: state_dir/offsite/receipts/<target>/<tier>/<backup id, characters outside [A-Za-z0-9._-] as
// '_'>.json, written atomically (temporary file, fsync, rename), one JSON object:
//   {"format": 1, "target", "tier", "backup_id", "ctime", "file_name", "plaintext_sha256",
//    "plaintext_size", "copies": [{"destination", "bucket", "key", "version_id", "size",
//    "etag", "composite_sha256", "part_size", "lock" ("COMPLIANCE"|"GOVERNANCE"|""),
//    "retain_until", "uploaded_at", "verified_at", "verified" (true|false|null),
//    "verify_problem"}]}
// A copy is dropped from the file when off-site pruning deletes it; the file goes with its last
// copy.
namespace agent {

struct OffsiteCopy {
  std::string destination;  // the destination's name in the config
  std::string bucket;
  std::string key;
  std::string version_id;
  std::uint64_t size = 0;  // of the encrypted object
  std::string etag;
  std::string composite_sha256;   // S3's composite checksum of the parts (see s3/multipart)
  std::uint64_t part_size = 0;    // 0: one PutObject
  std::string lock_mode;          // "COMPLIANCE", "GOVERNANCE" or "" (no lock)
  std::int64_t retain_until = 0;  // epoch seconds; 0 without a lock
  std::int64_t uploaded_at = 0;
  std::int64_t verified_at = 0;  // last `validate --offsite` of this copy; 0: never
  std::optional<bool> verified;  // its verdict
  std::string verify_problem;    // why not, when it failed
};

struct OffsiteReceipts {
  std::string target;
  TierName tier = TierName::mongo;
  std::string backup_id;  // volid (vzdump) or backup directory name (mongo)
  std::int64_t ctime = 0;
  std::string file_name;  // the plaintext file's name (what a fetch writes)
  std::string plaintext_sha256;
  std::uint64_t plaintext_size = 0;
  std::vector<OffsiteCopy> copies;

  const OffsiteCopy* find(const std::string& destination) const;
  OffsiteCopy* find(const std::string& destination);
};

std::filesystem::path offsite_receipts_path(const std::filesystem::path& state_dir,
                                            const std::string& target, TierName tier,
                                            const std::string& backup_id);
// nullopt when there is none (or it cannot be read: logged).
std::optional<OffsiteReceipts> read_offsite_receipts(const std::filesystem::path& state_dir,
                                                     const std::string& target, TierName tier,
                                                     const std::string& backup_id);
// Every receipts file of `target` and `tier`, oldest backup first.
std::vector<OffsiteReceipts> read_all_offsite_receipts(const std::filesystem::path& state_dir,
                                                       const std::string& target, TierName tier);
// Atomic; removes the file when `receipts` has no copy left. Error text on failure.
std::optional<std::string> write_offsite_receipts(const std::filesystem::path& state_dir,
                                                  const OffsiteReceipts& receipts);
// True when some destination holds a confirmed copy of the backup.
bool has_offsite_copy(const std::filesystem::path& state_dir, const std::string& target,
                      TierName tier, const std::string& backup_id);

}  // namespace agent
