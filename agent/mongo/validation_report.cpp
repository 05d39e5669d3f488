#include "agent/mongo/validation_report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/mongo/backup_store.hpp"

namespace agent::mongo {

std::optional<std::string> write_text_atomically(const std::filesystem::path& path,
                                                 std::string_view content) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot write " + tmp.string() + ": " + std::strerror(errno);
  std::size_t off = 0;
  while (off < content.size()) {
    const ssize_t w = ::write(fd, content.data() + off, content.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const std::string err = std::strerror(errno);
      ::close(fd);
      return "cannot write " + tmp.string() + ": " + err;
    }
    off += static_cast<std::size_t>(w);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return "cannot replace " + path.string() + ": " + std::strerror(errno);
  }
  fsync_path(path.parent_path());
  return std::nullopt;
}

std::string validation_report_text(const Manifest& m, const std::string& outcome) {
  std::ostringstream o;
  o << "pve-smokerbak mongo validation report\n"
    << "backup:   " << m.backup_id << " (" << outcome << ")\n"
    << "run:      " << m.run_id << ", started " << format_utc(m.started_at) << ", finished "
    << format_utc(m.finished_at) << "\n"
    << "target:   " << m.target << ", database " << m.database << "\n"
    << "archive:  " << m.archive_file << ", " << m.size << " bytes, sha256 " << m.sha256 << "\n"
    << "versions: mongodump " << (m.tool_version.empty() ? "?" : m.tool_version) << ", server "
    << (m.server_version.empty() ? "?" : m.server_version) << "\n"
    << "mongodump exit: " << m.mongodump_exit << "\n"
    << "verdict:  " << (m.valid ? "VALID" : "INVALID") << "\n";
  for (const auto& e : m.errors) o << "error:    " << e << "\n";
  for (const auto& w : m.warnings) o << "warning:  " << w << "\n";
  for (const auto& c : m.collections) {
    o << "collection " << c.ns << ": archive "
      << (c.archive_documents ? std::to_string(*c.archive_documents) : "-") << " documents, log "
      << (c.log_documents ? std::to_string(*c.log_documents) : "-") << ", crc "
      << (c.crc_ok ? "ok" : "BAD") << "\n";
  }
  return o.str();
}

std::optional<std::string> write_validation_report(const std::filesystem::path& dir,
                                                   const Manifest& m, const std::string& outcome) {
  if (auto e = write_text_atomically(dir / "validation-report.txt",
                                     validation_report_text(m, outcome))) {
    return e;
  }
  nlohmann::json j = nlohmann::json::parse(manifest_to_json(m));
  j["outcome"] = outcome;
  return write_text_atomically(dir / "validation-report.json", j.dump(2) + "\n");
}

}  // namespace agent::mongo
