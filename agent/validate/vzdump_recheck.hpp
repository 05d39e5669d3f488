#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "agent/validate/backup_check.hpp"

namespace agent::validate {

// Re-verifies one vzdump archive file (decompression incl. frame checksums, tar walk, SHA-256;
// agent/vzdump/archive_verifier.hpp). When `expected_sha256` is given, a different SHA-256 is
// an error (bit rot or tampering since the backup run verified it).
BackupCheck check_vzdump_file(const std::filesystem::path& file,
                              const std::string& expected_sha256 = {});

// Re-verifies every archive the vzdump tier recorded for `target` under
// state_dir/<target>/vzdump/*.json (agent/vzdump/backup_record.hpp), oldest first. An archive
// whose file is gone is an error. Only archives on storage this host can read are recorded.
std::vector<BackupCheck> check_vzdump_records(const std::filesystem::path& state_dir,
                                              const std::string& target);

}  // namespace agent::validate
