#include "agent/mongo/validation_report.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/core/atomic_file.hpp"
#include "agent/core/human_format.hpp"

namespace agent::mongo {

std::string validation_report_text(const Manifest& m, const std::string& outcome) {
  std::ostringstream o;
  o << "pve-smokerbak mongo validation report\n"
    << "backup:   " << m.backup_id << " (" << outcome << ")\n"
    << "run:      " << m.run_id << ", started " << rfc3339_utc(m.started_at) << ", finished "
    << rfc3339_utc(m.finished_at) << "\n"
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
  if (auto e = write_file_atomically(dir / "validation-report.txt",
                                     validation_report_text(m, outcome))) {
    return e;
  }
  nlohmann::json j = nlohmann::json::parse(manifest_to_json(m));
  j["outcome"] = outcome;
  return write_file_atomically(
      dir / "validation-report.json",
      j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace agent::mongo
