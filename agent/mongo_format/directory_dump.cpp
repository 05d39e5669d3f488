#include "agent/mongo_format/directory_dump.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "agent/core/human_format.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/bson_sequence.hpp"
#include "agent/mongo_format/collection_names.hpp"
#include "agent/mongo_format/gzip_inflater.hpp"
#include "agent/mongo_format/mongo_names.hpp"

namespace agent::mongo_format {
namespace fs = std::filesystem;
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shown(const fs::path& p) { return escape_control_chars(p.string(), Tabs::escape); }

// A JSON string member as text to store, or "" when absent or of another type.
std::string string_member(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The walk over one dump, with the limits and the inflated bytes so far.
class DumpCheck {
 public:
  DumpCheck(ArchiveVerdict& v, const ArchiveLimits& limits) : m_v(v), m_limits(limits) {}

  // Streams a file's (inflated, when gzip) content to `sink`; returns an error text or "".
  // Gzip is recognised by its magic bytes, not the name (oplog.bson may be gzip inside).
  std::string read_content(const fs::path& path,
                           const std::function<void(const std::uint8_t*, std::size_t)>& sink) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "cannot open " + shown(path);
    std::vector<char> buf(1 << 20);
    std::optional<GzipInflater> gz;
    std::uint64_t plain = 0;
    bool first = true;
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      const auto n = static_cast<std::size_t>(in.gcount());
      if (n == 0) break;
      const auto* p = reinterpret_cast<const std::uint8_t*>(buf.data());
      m_v.compressed_bytes += n;
      if (first) {
        first = false;
        if (n >= 2 && p[0] == 0x1F && p[1] == 0x8B) {
          gz.emplace(sink);
          if (cap() != 0) gz->set_output_limit(cap() - std::min(cap(), m_inflated));
        }
      }
      if (gz) {
        gz->feed(p, n);
        if (gz->failed()) break;
      } else {
        if (cap() != 0 && n > cap() - std::min(cap(), m_inflated + plain)) return over_cap();
        plain += n;
        sink(p, n);
      }
    }
    m_inflated += gz ? gz->inflated_bytes() : plain;
    if (in.bad()) return "read error";
    if (gz) {
      gz->finish();
      if (gz->limit_exceeded()) return over_cap();
      if (gz->failed()) return "gzip: " + gz->error();
    }
    return "";
  }

  std::string read_text(const fs::path& path, std::string& text) {
    return read_content(path, [&](const std::uint8_t* p, std::size_t n) {
      text.append(reinterpret_cast<const char*>(p), n);
    });
  }

  // Checks one database folder and appends its namespaces and errors.
  void check_database(const fs::path& dir, const std::string& db);
  void check_oplog(const fs::path& file);

  bool stopped() const { return m_v.size_cap_exceeded || m_too_many; }
  // Where in the verdict's errors the size-cap error is (each caller appends a read's error
  // as soon as the read returns it); nullopt while the cap holds.
  std::optional<std::size_t> cap_error_at() const { return m_cap_error_at; }

 private:
  struct MetadataInfo {
    std::string collection, type;
  };

  std::uint64_t cap() const { return m_limits.max_inflated_bytes; }
  std::string over_cap() {
    m_v.size_cap_exceeded = true;
    m_cap_error_at = m_v.errors.size();
    return "the dump inflates to more than " + human_bytes(cap()) + " (" + std::to_string(cap()) +
           " bytes, the size cap for this check); stopped here";
  }
  bool room_for_namespace() {
    if (m_v.namespaces.size() < m_limits.max_namespaces) return true;
    if (!m_too_many) {
      m_v.errors.push_back("the dump has more than " + std::to_string(m_limits.max_namespaces) +
                           " collection files (the limit on collections per dump)");
    }
    m_too_many = true;
    return false;
  }

  ArchiveVerdict& m_v;
  ArchiveLimits m_limits;
  std::uint64_t m_inflated = 0;
  bool m_too_many = false;
  std::optional<std::size_t> m_cap_error_at;
};

void DumpCheck::check_database(const fs::path& dir, const std::string& db) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.symlink_status().type() == fs::file_type::symlink) {
      m_v.warnings.push_back(shown(e.path()) + ": symbolic link ignored (mongodump writes none)");
      continue;
    }
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, MetadataInfo> metadata;  // by file stem
  for (const auto& f : files) {
    if (stopped()) return;
    std::string name = f.filename().string();
    if (ends_with(name, ".gz")) name.resize(name.size() - 3);
    if (!ends_with(name, ".metadata.json")) continue;
    const std::string stem = name.substr(0, name.size() - 14);
    std::string text;
    const std::string err = read_text(f, text);
    if (!err.empty()) {
      m_v.errors.push_back(shown(f) + ": " + err);
      continue;
    }
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("indexes") || !j["indexes"].is_array()) {
      m_v.errors.push_back(shown(f) +
                           ": not a mongodump metadata file (JSON object with an indexes array)");
      continue;
    }
    metadata[stem] = MetadataInfo{string_member(j, "collectionName"), string_member(j, "type")};
  }
  std::set<std::string> with_data;
  for (const auto& f : files) {
    if (stopped()) return;
    std::string name = f.filename().string();
    if (ends_with(name, ".gz")) name.resize(name.size() - 3);
    if (!ends_with(name, ".bson")) continue;
    if (!room_for_namespace()) return;
    const std::string stem = name.substr(0, name.size() - 5);
    with_data.insert(stem);
    NamespaceStats ns;
    ns.db = db;
    const auto md = metadata.find(stem);
    ns.collection = md != metadata.end() && !md->second.collection.empty()
                        ? md->second.collection
                        : unescape_collection(stem);
    if (auto why = collection_name_problem(db, ns.collection)) {
      m_v.errors.push_back(shown(f) + ": not a mongodump dump: " + *why);
      continue;
    }
    BsonSequence seq(m_limits.max_bson_depth);
    const std::string err =
        read_content(f, [&](const std::uint8_t* p, std::size_t n) { seq.consume(p, n); });
    seq.finish();
    m_v.archive_bytes += seq.bytes();
    ns.documents = seq.documents();
    ns.bson_bytes = seq.bytes();
    ns.crc64 = seq.crc64();
    ns.closed = err.empty() && !seq.failed();
    if (!err.empty()) m_v.errors.push_back(shown(f) + ": " + err);
    if (seq.failed() && err.empty()) m_v.errors.push_back(shown(f) + ": " + seq.error());
    if (md == metadata.end() && stem.rfind("$admin.", 0) != 0 && !db.empty()) {
      m_v.warnings.push_back(shown(f) +
                             ": no matching .metadata.json (indexes cannot be restored)");
    }
    m_v.namespaces.push_back(ns);
  }
  for (const auto& [stem, info] : metadata) {
    if (with_data.count(stem) || info.type == "view" || info.type == "timeseries") continue;
    m_v.warnings.push_back(shown(dir / stem) + ".metadata.json has no .bson data file");
  }
}

void DumpCheck::check_oplog(const fs::path& file) {
  if (stopped() || !room_for_namespace()) return;
  BsonSequence seq(m_limits.max_bson_depth);
  const std::string err =
      read_content(file, [&](const std::uint8_t* p, std::size_t n) { seq.consume(p, n); });
  seq.finish();
  NamespaceStats ns;
  ns.collection = "oplog";
  ns.documents = seq.documents();
  ns.bson_bytes = seq.bytes();
  ns.crc64 = seq.crc64();
  ns.closed = err.empty() && !seq.failed();
  if (!err.empty()) m_v.errors.push_back(shown(file) + ": " + err);
  if (seq.failed() && err.empty()) m_v.errors.push_back(shown(file) + ": " + seq.error());
  m_v.archive_bytes += seq.bytes();
  m_v.namespaces.push_back(ns);
}

bool has_bson_files(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && (ends_with(n, ".bson") || ends_with(n, ".bson.gz"))) return true;
  }
  return false;
}

}  // namespace

ArchiveVerdict validate_directory_dump(const fs::path& dir, const ArchiveLimits& limits) {
  ArchiveVerdict v;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    v.errors.push_back(shown(dir) + ": not a directory");
    return v;
  }
  DumpCheck check(v, limits);
  try {
    // prelude.json (tools >= 100.12) names the versions; in the root or the db folder.
    for (const char* p : {"prelude.json", "prelude.json.gz"}) {
      if (!fs::exists(dir / p)) continue;
      std::string text;
      const std::string err = check.read_text(dir / p, text);
      auto j = nlohmann::json::parse(text, nullptr, false);
      if (!err.empty() || j.is_discarded() || !j.is_object()) {
        v.errors.push_back(shown(dir / p) + ": not a valid prelude (" +
                           (err.empty() ? "bad JSON" : err) + ")");
      } else {
        v.server_version = escape_control_chars(string_member(j, "ServerVersion"), Tabs::escape);
        v.tool_version = escape_control_chars(string_member(j, "ToolVersion"), Tabs::escape);
      }
    }
    std::vector<fs::path> dbs;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.symlink_status().type() == fs::file_type::directory) dbs.push_back(e.path());
    }
    std::sort(dbs.begin(), dbs.end());
    if (has_bson_files(dir) && dbs.empty() && !fs::exists(dir / "oplog.bson")) {
      // `dir` is one database folder; its name is the operator's folder name, which mongorestore
      // takes as the database name unless told otherwise.
      const std::string db = dir.filename().string();
      if (auto why = db_name_problem(db)) {
        v.warnings.push_back(shown(dir) + ": " + *why +
                             "; restore it with mongorestore --db=<name> or --nsFrom/--nsTo");
      }
      check.check_database(dir, db);
    } else {
      for (const auto& d : dbs) {
        const std::string db = d.filename().string();
        if (auto why = db_name_problem(db)) {
          v.errors.push_back(shown(d) + ": not a mongodump dump: " + *why);
          continue;
        }
        check.check_database(d, db);
      }
      if (fs::exists(dir / "oplog.bson")) check.check_oplog(dir / "oplog.bson");
    }
  } catch (const fs::filesystem_error& e) {
    v.errors.push_back("cannot read the dump: " + escape_control_chars(e.what(), Tabs::escape));
  }
  // The size cap explains whatever failed after it: its error comes first.
  if (const auto at = check.cap_error_at(); at && *at < v.errors.size()) {
    std::rotate(v.errors.begin(), v.errors.begin() + static_cast<std::ptrdiff_t>(*at),
                v.errors.end());
  }
  if (v.namespaces.empty() && v.errors.empty()) {
    v.errors.push_back(shown(dir) + ": no collections found (no <db>/<coll>.bson[.gz] files)");
  }
  v.valid = v.errors.empty();
  return v;
}

}  // namespace agent::mongo_format
