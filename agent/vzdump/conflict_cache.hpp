#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "agent/vzdump/conflict_check.hpp"

// When the last conflict check (conflict_check.hpp) of a target found nothing to warn about,
// the nightly runs of the following week skip it: Proxmox backup jobs and a storage's
// prune-backups change rarely, and the check costs two or three API requests per run (three,
// and two reconnects, with the minimal token, whose 403s close the connection). A check that
// warned is never cached, so its warnings stay current every night until fixed; the vzdump
// tier also re-checks at once when archives it made vanish without its doing.
//
// File: <state_dir>/<target>/vzdump-conflict-check.json, {"storage": "local",
// "clean_at": <epoch seconds>}, written atomically.
namespace agent {

inline constexpr std::int64_t k_conflict_recheck_s = 7 * 86400;

// True when a clean check of `storage` is on file from [now - k_conflict_recheck_s, now].
bool conflict_check_still_clean(const std::filesystem::path& state_dir, const std::string& target,
                                const std::string& storage, std::int64_t now);

// Records a clean check at `now`; failures only cost a check next time, so they are ignored.
void remember_clean_conflict_check(const std::filesystem::path& state_dir,
                                   const std::string& target, const std::string& storage,
                                   std::int64_t now);

// After a check: remembers it when it found nothing (no warning, no backup limit), else
// forgets any earlier clean one.
void record_conflict_check(const std::filesystem::path& state_dir, const std::string& target,
                           const std::string& storage, std::int64_t now,
                           const ConflictReport& report);

void forget_conflict_check(const std::filesystem::path& state_dir, const std::string& target);

}  // namespace agent
