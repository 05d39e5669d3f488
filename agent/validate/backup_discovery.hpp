#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "agent/validate/backup_check.hpp"

namespace agent::validate {

// Checks every kept mongo backup under `backup_dir`: archive-form `backup-*/` directories and
// any other subdirectory holding a directory-form dump (as the old cron scripts wrote).
// Skipped: `*.partial` (a run in progress), `failed-*` (evidence, not a kept backup), `latest`
// and plain files. Each check gets `target`. Returned oldest first.
std::vector<BackupCheck> check_backup_dir(
    const std::filesystem::path& backup_dir, const std::string& target,
    const mongo_format::ArchiveLimits& limits = mongo::stored_limits());

// A backup named on the command line: a backup directory (archive- or directory-form), its
// manifest.json, a mongodump archive file or a vzdump archive file. Error when the path does
// not exist or is none of these.
tl::expected<BackupCheck, std::string> check_path(const std::filesystem::path& path);

// Oldest first by started_at (unknown first), then by id; stable.
void sort_oldest_first(std::vector<BackupCheck>& checks);

}  // namespace agent::validate
