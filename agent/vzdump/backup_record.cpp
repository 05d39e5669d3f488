#include "agent/vzdump/backup_record.hpp"

#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

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

std::filesystem::path backup_record_path(const std::filesystem::path& state_dir,
                                         const std::string& target, const std::string& volid) {
  return state_dir / sanitise(target) / "vzdump" / (sanitise(volid) + ".json");
}

tl::expected<void, std::string> write_backup_record(const std::filesystem::path& state_dir,
                                                    const BackupRecord& r) {
  const auto path = backup_record_path(state_dir, r.target, r.volid);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return tl::unexpected("cannot create " + path.parent_path().string() + ": " + ec.message());
  }
  nlohmann::json doc = {{"format", 1},
                        {"tier", "vzdump"},
                        {"target", r.target},
                        {"vmid", r.vmid},
                        {"node", r.node},
                        {"storage", r.storage},
                        {"volid", r.volid},
                        {"path", r.path},
                        {"run_id", r.run_id},
                        {"ctime", r.ctime},
                        {"size", r.size},
                        {"sha256", r.sha256},
                        {"verdict", r.verdict},
                        {"problem", r.problem},
                        {"compression", r.compression},
                        {"tar_entries", r.tar_entries},
                        {"tar_bytes", r.tar_bytes},
                        {"checked_at", r.checked_at},
                        {"task_exitstatus", r.task_exitstatus},
                        {"notes_rest", r.notes_rest}};
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out.flush()) return tl::unexpected("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return tl::unexpected("cannot rename " + tmp + " to " + path.string() + ": " + ec.message());
  return {};
}

std::optional<BackupRecord> read_backup_record(const std::filesystem::path& state_dir,
                                               const std::string& target,
                                               const std::string& volid) {
  std::ifstream in(backup_record_path(state_dir, target, volid));
  if (!in) return std::nullopt;
  try {
    const auto doc = nlohmann::json::parse(in);
    BackupRecord r;
    r.target = doc.value("target", "");
    r.vmid = doc.value("vmid", std::int64_t{0});
    r.node = doc.value("node", "");
    r.storage = doc.value("storage", "");
    r.volid = doc.value("volid", "");
    r.path = doc.value("path", "");
    r.run_id = doc.value("run_id", "");
    r.ctime = doc.value("ctime", std::int64_t{0});
    r.size = doc.value("size", std::uint64_t{0});
    r.sha256 = doc.value("sha256", "");
    r.verdict = doc.value("verdict", "");
    r.problem = doc.value("problem", "");
    r.compression = doc.value("compression", "");
    r.tar_entries = doc.value("tar_entries", std::uint64_t{0});
    r.tar_bytes = doc.value("tar_bytes", std::uint64_t{0});
    r.checked_at = doc.value("checked_at", "");
    r.task_exitstatus = doc.value("task_exitstatus", "");
    r.notes_rest = doc.value("notes_rest", "");
    return r;
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged record is treated as missing; the next run rewrites it
  }
}

void remove_backup_record(const std::filesystem::path& state_dir, const std::string& target,
                          const std::string& volid) {
  std::error_code ec;
  std::filesystem::remove(backup_record_path(state_dir, target, volid), ec);
}

}  // namespace agent
