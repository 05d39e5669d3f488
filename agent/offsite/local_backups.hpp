#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/tier/tier_name.hpp"

// The local backups the off-site tier may copy, read from the other tiers' own records: the
// mongo manifests (valid backups in backup_dir) and the vzdump backup records in state_dir.
// Copy after validation, never before: only a backup whose record says valid/verified and
// whose file is readable on this node is eligible.
namespace agent::offsite {

struct LocalBackup {
  TierName tier = TierName::mongo;
  std::string id;  // volid (vzdump) or backup directory name (mongo)
  std::int64_t ctime = 0;
  std::filesystem::path file;  // what is uploaded
  std::string file_name;       // the object's file name (without .age)
  std::uint64_t size = 0;
  std::string sha256;  // of the file, from the record
  std::string run_id;
  bool eligible = false;
  std::string why_not;  // when not eligible: one sentence
};

// Both tiers' backups of `target` (the tiers it configures), oldest first.
std::vector<LocalBackup> local_backups(const Config& config, const TargetConfig& target);

}  // namespace agent::offsite
