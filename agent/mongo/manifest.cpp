#include "agent/mongo/manifest.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/core/human_format.hpp"

namespace agent::mongo {
namespace {

using nlohmann::json;

json opt(const std::optional<std::uint64_t>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::string manifest_to_json(const Manifest& m) {
  json collections = json::array();
  for (const auto& c : m.collections) {
    collections.push_back({{"namespace", c.ns},
                           {"documents_log", opt(c.log_documents)},
                           {"documents_archive", opt(c.archive_documents)},
                           {"crc64", c.crc64},
                           {"crc_ok", c.crc_ok}});
  }
  const json j = {
      {"format", k_manifest_format},
      {"backup_id", m.backup_id},
      {"run_id", m.run_id},
      {"target", m.target},
      {"database", m.database},
      {"oplog", m.oplog},
      {"started_at", rfc3339_utc(m.started_at)},
      {"started_epoch", m.started_at},
      {"finished_at", rfc3339_utc(m.finished_at)},
      {"finished_epoch", m.finished_at},
      {"archive", {{"file", m.archive_file}, {"size", m.size}, {"sha256", m.sha256}}},
      {"tool_version", m.tool_version},
      {"server_version", m.server_version},
      {"vzdump_volid", m.vzdump_volid ? json(*m.vzdump_volid) : json(nullptr)},
      {"collections", collections},
      {"mongodump_exit", m.mongodump_exit},
      {"validation", {{"valid", m.valid}, {"errors", m.errors}, {"warnings", m.warnings}}},
  };
  // Every text in it is valid UTF-8 already (names checked by the validator, remote text
  // escaped); `replace` is the backstop that keeps a missed byte from throwing.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

tl::expected<Manifest, std::string> read_manifest(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return tl::make_unexpected("cannot read " + file.string());
  try {
    const json j = json::parse(in);
    if (j.value("format", "") != k_manifest_format) {
      return tl::make_unexpected(file.string() + ": not a " + k_manifest_format + " manifest");
    }
    Manifest m;
    m.backup_id = j.at("backup_id").get<std::string>();
    m.run_id = j.value("run_id", "");
    m.target = j.value("target", "");
    m.database = j.at("database").get<std::string>();
    m.oplog = j.value("oplog", false);
    m.started_at = j.at("started_epoch").get<std::int64_t>();
    m.finished_at = j.value("finished_epoch", std::int64_t{0});
    const auto& a = j.at("archive");
    m.archive_file = a.at("file").get<std::string>();
    m.size = a.at("size").get<std::uint64_t>();
    m.sha256 = a.at("sha256").get<std::string>();
    m.tool_version = j.value("tool_version", "");
    m.server_version = j.value("server_version", "");
    if (j.contains("vzdump_volid") && j["vzdump_volid"].is_string()) {
      m.vzdump_volid = j["vzdump_volid"].get<std::string>();
    }
    for (const auto& c : j.value("collections", json::array())) {
      CollectionCount cc;
      cc.ns = c.at("namespace").get<std::string>();
      if (c.contains("documents_log") && c["documents_log"].is_number()) {
        cc.log_documents = c["documents_log"].get<std::uint64_t>();
      }
      if (c.contains("documents_archive") && c["documents_archive"].is_number()) {
        cc.archive_documents = c["documents_archive"].get<std::uint64_t>();
      }
      cc.crc64 = c.value("crc64", "");
      cc.crc_ok = c.value("crc_ok", false);
      m.collections.push_back(std::move(cc));
    }
    m.mongodump_exit = j.value("mongodump_exit", -1);
    const auto& v = j.at("validation");
    m.valid = v.at("valid").get<bool>();
    m.errors = v.value("errors", std::vector<std::string>{});
    m.warnings = v.value("warnings", std::vector<std::string>{});
    return m;
  } catch (const json::exception& e) {
    return tl::make_unexpected(file.string() + ": malformed manifest: " + e.what());
  }
}

}  // namespace agent::mongo
