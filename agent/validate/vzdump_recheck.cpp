#include "agent/validate/vzdump_recheck.hpp"

#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "agent/core/progress.hpp"
#include "agent/validate/backup_discovery.hpp"
#include "agent/vzdump/archive_verifier.hpp"
#include "agent/vzdump/backup_record.hpp"

namespace agent::validate {
namespace fs = std::filesystem;

BackupCheck check_vzdump_file(const fs::path& file, const std::string& expected_sha256) {
  BackupCheck c = new_check(TierName::vzdump, BackupForm::vzdump, file);
  ProgressOptions po;
  po.label = "validate: " + c.id + " (vzdump)";
  std::error_code ec;
  if (const auto size = fs::file_size(file, ec); !ec) po.total = size;
  ProgressReporter progress(std::move(po), monotonic_clock());
  const auto check = verify_archive(file, [&](std::uint64_t n) { progress.advance(n); });
  progress.finish(check.verdict == agent::ArchiveVerdict::unreadable ? "stopped" : "read");
  c.size = check.file_bytes;
  if (check.verdict != agent::ArchiveVerdict::verified) {
    c.errors.push_back(std::string(to_string(check.verdict)) + ": " + check.problem);
  }
  if (!expected_sha256.empty() && !check.sha256.empty() && check.sha256 != expected_sha256) {
    c.errors.push_back("SHA-256 of " + c.id + " is " + check.sha256 +
                       " but the backup record says " + expected_sha256 +
                       " (bit rot or tampering)");
  }
  c.valid = c.errors.empty();
  return c;
}

std::vector<BackupCheck> check_vzdump_records(const fs::path& state_dir,
                                              const std::string& target) {
  // The record path for any volid shares the target's folder; derive it the same way.
  const fs::path folder = backup_record_path(state_dir, target, "x").parent_path();
  std::vector<BackupCheck> out;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".json" || !it->is_regular_file(ec)) continue;
    std::ifstream in(it->path());
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("path") || !j["path"].is_string()) {
      BackupCheck c = new_check(TierName::vzdump, BackupForm::vzdump, it->path());
      c.target = target;
      c.errors.push_back("unreadable backup record " + it->path().string());
      out.push_back(std::move(c));
      continue;
    }
    // Archives the agent never read here (PBS snapshots, archives not verifiable from this
    // node) have no file to re-read: their soundness is PBS's verdict or unknown, which
    // `list` and the notes show.
    const std::string state = j.contains("verify_state") && j["verify_state"].is_string()
                                  ? j["verify_state"].get<std::string>()
                                  : std::string();
    if (state.rfind("pbs_", 0) == 0 || state == "not_verifiable") continue;
    const fs::path file = j["path"].get<std::string>();
    BackupCheck c;
    if (!fs::exists(file, ec)) {
      c = new_check(TierName::vzdump, BackupForm::vzdump, file);
      c.errors.push_back("archive " + file.string() + " is recorded but no longer on disk");
    } else {
      c = check_vzdump_file(file, j.value("sha256", std::string()));
    }
    c.target = target;
    if (j.contains("ctime") && j["ctime"].is_number_integer())
      c.started_at = j["ctime"].get<std::int64_t>();
    out.push_back(std::move(c));
  }
  sort_oldest_first(out);
  return out;
}

}  // namespace agent::validate
