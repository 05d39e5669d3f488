#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "age/keys.hpp"
#include "agent/tier/tier_name.hpp"
#include "s3/client.hpp"

// Bringing an off-site copy back: download, decrypt (age, streamed) into a hidden .partial
// directory, check the plaintext SHA-256 against the object's metadata (and the receipt's), run the
// full validation of its tier (mongodump archive / vzdump archive), then rename it into place. The
// piece `offsite fetch` and the restore drill (`drill --from offsite`) share.
namespace agent::offsite {

struct FetchOptions {
  std::string version_id;       // empty: the latest version
  std::string expected_sha256;  // from a receipt, when known; else only the metadata's
  // Progress: bytes of ciphertext received so far and the object's size.
  std::function<void(std::uint64_t done, std::uint64_t total)> on_progress;
};

struct FetchedBackup {
  TierName tier = TierName::mongo;
  std::string target;
  std::string backup_id;
  std::int64_t ctime = 0;
  std::filesystem::path file;        // the validated plaintext
  std::filesystem::path backup_dir;  // mongo: DIR/<backup id> (archive + manifest.json)
  std::uint64_t size = 0;
  std::string sha256;
  std::string
      validation;  // one line, e.g. "valid mongodump archive: 3 collections, 1200 documents"
};

struct FetchError {
  enum class Kind {
    remote,     // the object could not be read (missing, access, network)
    not_ours,   // it is not an off-site copy the agent made (metadata missing or unusable)
    identity,   // no identity matches a recipient of the file
    integrity,  // damaged, truncated, or its SHA-256 differs from the record
    invalid,    // decrypted fine but does not validate
    exists,     // the destination file or directory is already there
    disk,       // not enough space, or writing failed (disk full)
  };
  Kind kind = Kind::remote;
  std::string message;
};

// Into `dir`: a mongo backup as DIR/<backup id>/ (archive and a manifest.json, so `restore
// mongo --backup <id>` takes it when DIR is the target's backup_dir), a vzdump archive as
// DIR/<archive name> (for `pct restore`). Nothing is left behind on failure.
tl::expected<FetchedBackup, FetchError> fetch_and_validate(
    s3::Client& client, const std::string& key, const std::vector<age::Identity>& identities,
    const std::filesystem::path& dir, const FetchOptions& options = {});

}  // namespace agent::offsite
