#include "agent/vzdump/conflict_cache.hpp"

#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "agent/core/atomic_file.hpp"
#include "agent/vzdump/backup_record.hpp"

namespace agent {
namespace {

std::filesystem::path cache_path(const std::filesystem::path& state_dir,
                                 const std::string& target) {
  // Next to (not in) the folder of the target's vzdump records, which holds records only.
  return backup_record_path(state_dir, target, "x").parent_path().parent_path() /
         "vzdump-conflict-check.json";
}

}  // namespace

bool conflict_check_still_clean(const std::filesystem::path& state_dir, const std::string& target,
                                const std::string& storage, std::int64_t now) {
  std::ifstream in(cache_path(state_dir, target));
  if (!in) return false;
  try {
    const auto doc = nlohmann::json::parse(in);
    const auto clean_at = doc.at("clean_at").get<std::int64_t>();
    return doc.at("storage").get<std::string>() == storage && clean_at <= now &&
           now - clean_at < k_conflict_recheck_s;
  } catch (const std::exception&) {
    return false;  // unreadable: check again
  }
}

void remember_clean_conflict_check(const std::filesystem::path& state_dir,
                                   const std::string& target, const std::string& storage,
                                   std::int64_t now) {
  (void)write_file_atomically(
      cache_path(state_dir, target),
      nlohmann::json{{"storage", storage}, {"clean_at", now}}.dump() + "\n");
}

void record_conflict_check(const std::filesystem::path& state_dir, const std::string& target,
                           const std::string& storage, std::int64_t now,
                           const ConflictReport& report) {
  if (report.warnings.empty() && report.storage_backup_limit == 0) {
    remember_clean_conflict_check(state_dir, target, storage, now);
  } else {
    forget_conflict_check(state_dir, target);
  }
}

void forget_conflict_check(const std::filesystem::path& state_dir, const std::string& target) {
  std::error_code ec;
  std::filesystem::remove(cache_path(state_dir, target), ec);
}

}  // namespace agent
