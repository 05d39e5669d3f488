#include "agent/mongo_format/directory_dump.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "agent/mongo_format/bson_sequence.hpp"
#include "agent/mongo_format/collection_names.hpp"
#include "agent/mongo_format/gzip_inflater.hpp"

namespace agent::mongo_format {
namespace fs = std::filesystem;
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Streams a file's (inflated, when gzip) content to `sink`; returns an error text or "".
// Gzip is recognised by its magic bytes, not the name (oplog.bson may be gzip inside).
std::string read_content(const fs::path& path, std::uint64_t& disk_bytes,
                         const std::function<void(const std::uint8_t*, std::size_t)>& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot open " + path.string();
  std::vector<char> buf(1 << 20);
  std::optional<GzipInflater> gz;
  bool first = true;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    const auto* p = reinterpret_cast<const std::uint8_t*>(buf.data());
    disk_bytes += n;
    if (first) {
      first = false;
      if (n >= 2 && p[0] == 0x1F && p[1] == 0x8B) gz.emplace(sink);
    }
    if (gz) {
      gz->feed(p, n);
      if (gz->failed()) return "gzip: " + gz->error();
    } else {
      sink(p, n);
    }
  }
  if (in.bad()) return "read error";
  if (gz) {
    gz->finish();
    if (gz->failed()) return "gzip: " + gz->error();
  }
  return "";
}

std::string read_text(const fs::path& path, std::uint64_t& disk_bytes, std::string& text) {
  return read_content(path, disk_bytes, [&](const std::uint8_t* p, std::size_t n) {
    text.append(reinterpret_cast<const char*>(p), n);
  });
}

struct MetadataInfo {
  std::string collection, type;
};

// Checks one database folder and appends its namespaces and errors to `v`.
void check_database(const fs::path& dir, const std::string& db, ArchiveVerdict& v) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, MetadataInfo> metadata;  // by file stem
  for (const auto& f : files) {
    std::string name = f.filename().string();
    if (ends_with(name, ".gz")) name.resize(name.size() - 3);
    if (!ends_with(name, ".metadata.json")) continue;
    const std::string stem = name.substr(0, name.size() - 14);
    std::string text;
    const std::string err = read_text(f, v.compressed_bytes, text);
    if (!err.empty()) {
      v.errors.push_back(f.string() + ": " + err);
      continue;
    }
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("indexes") || !j["indexes"].is_array()) {
      v.errors.push_back(f.string() +
                         ": not a mongodump metadata file (JSON object with an indexes array)");
      continue;
    }
    MetadataInfo info;
    if (j.contains("collectionName") && j["collectionName"].is_string())
      info.collection = j["collectionName"].get<std::string>();
    if (j.contains("type") && j["type"].is_string()) info.type = j["type"].get<std::string>();
    metadata[stem] = info;
  }
  std::set<std::string> with_data;
  for (const auto& f : files) {
    std::string name = f.filename().string();
    if (ends_with(name, ".gz")) name.resize(name.size() - 3);
    if (!ends_with(name, ".bson")) continue;
    const std::string stem = name.substr(0, name.size() - 5);
    with_data.insert(stem);
    BsonSequence seq;
    const std::string err = read_content(
        f, v.compressed_bytes, [&](const std::uint8_t* p, std::size_t n) { seq.consume(p, n); });
    seq.finish();
    v.archive_bytes += seq.bytes();
    NamespaceStats ns;
    ns.db = db;
    const auto md = metadata.find(stem);
    ns.collection = md != metadata.end() && !md->second.collection.empty()
                        ? md->second.collection
                        : unescape_collection(stem);
    ns.documents = seq.documents();
    ns.bson_bytes = seq.bytes();
    ns.crc64 = seq.crc64();
    ns.closed = err.empty() && !seq.failed();
    if (!err.empty()) v.errors.push_back(f.string() + ": " + err);
    if (seq.failed()) v.errors.push_back(f.string() + ": " + seq.error());
    if (md == metadata.end() && stem.rfind("$admin.", 0) != 0 && !db.empty()) {
      v.warnings.push_back(f.string() +
                           ": no matching .metadata.json (indexes cannot be restored)");
    }
    v.namespaces.push_back(ns);
  }
  for (const auto& [stem, info] : metadata) {
    if (with_data.count(stem) || info.type == "view" || info.type == "timeseries") continue;
    v.warnings.push_back((dir / stem).string() + ".metadata.json has no .bson data file");
  }
}

bool has_bson_files(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && (ends_with(n, ".bson") || ends_with(n, ".bson.gz"))) return true;
  }
  return false;
}

}  // namespace

ArchiveVerdict validate_directory_dump(const fs::path& dir) {
  ArchiveVerdict v;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    v.errors.push_back(dir.string() + ": not a directory");
    return v;
  }
  try {
    // prelude.json (tools >= 100.12) names the versions; in the root or the db folder.
    for (const char* p : {"prelude.json", "prelude.json.gz"}) {
      if (!fs::exists(dir / p)) continue;
      std::string text;
      const std::string err = read_text(dir / p, v.compressed_bytes, text);
      auto j = nlohmann::json::parse(text, nullptr, false);
      if (!err.empty() || j.is_discarded() || !j.is_object()) {
        v.errors.push_back((dir / p).string() + ": not a valid prelude (" +
                           (err.empty() ? "bad JSON" : err) + ")");
      } else {
        v.server_version = j.value("ServerVersion", "");
        v.tool_version = j.value("ToolVersion", "");
      }
    }
    std::vector<fs::path> dbs;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_directory()) dbs.push_back(e.path());
    }
    std::sort(dbs.begin(), dbs.end());
    if (has_bson_files(dir) && dbs.empty() && !fs::exists(dir / "oplog.bson")) {
      check_database(dir, dir.filename().string(), v);  // `dir` is one database folder
    } else {
      for (const auto& d : dbs) check_database(d, d.filename().string(), v);
      if (fs::exists(dir / "oplog.bson")) {
        BsonSequence seq;
        const std::string err =
            read_content(dir / "oplog.bson", v.compressed_bytes,
                         [&](const std::uint8_t* p, std::size_t n) { seq.consume(p, n); });
        seq.finish();
        NamespaceStats ns;
        ns.collection = "oplog";
        ns.documents = seq.documents();
        ns.bson_bytes = seq.bytes();
        ns.crc64 = seq.crc64();
        ns.closed = err.empty() && !seq.failed();
        if (!err.empty()) v.errors.push_back((dir / "oplog.bson").string() + ": " + err);
        if (seq.failed()) v.errors.push_back((dir / "oplog.bson").string() + ": " + seq.error());
        v.archive_bytes += seq.bytes();
        v.namespaces.push_back(ns);
      }
    }
  } catch (const fs::filesystem_error& e) {
    v.errors.push_back(std::string("cannot read the dump: ") + e.what());
  }
  if (v.namespaces.empty() && v.errors.empty()) {
    v.errors.push_back(dir.string() + ": no collections found (no <db>/<coll>.bson[.gz] files)");
  }
  v.valid = v.errors.empty();
  return v;
}

}  // namespace agent::mongo_format
