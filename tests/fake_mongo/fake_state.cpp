#include "tests/fake_mongo/fake_state.hpp"

#include <cctype>
#include <fstream>

#include <bson/bson.h>

namespace fake_mongo {
namespace {

// "mongodb://host:port/..." -> "host:port"
std::string authority_of(const std::string& uri) {
  std::string rest = uri.substr(uri.find("://") == std::string::npos ? 0 : uri.find("://") + 3);
  return rest.substr(0, rest.find_first_of("/?"));
}

std::string safe_key(const std::string& text) {
  std::string out;
  for (char c : text) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.') ? c : '_';
  return out;
}

// {"indexes": [...]} from a collection's metadata text; the _id index alone when absent.
std::string indexes_json(const std::string& metadata) {
  const std::string fallback = R"({"indexes":[{"v":2,"key":{"_id":1},"name":"_id_"}]})";
  if (metadata.empty()) return fallback;
  bson_error_t err;
  bson_t* meta = bson_new_from_json(reinterpret_cast<const std::uint8_t*>(metadata.data()),
                                    static_cast<ssize_t>(metadata.size()), &err);
  if (meta == nullptr) return fallback;
  bson_iter_t it;
  std::string out = fallback;
  if (bson_iter_init_find(&it, meta, "indexes") && BSON_ITER_HOLDS_ARRAY(&it)) {
    const std::uint8_t* data = nullptr;
    std::uint32_t len = 0;
    bson_iter_array(&it, &len, &data);
    bson_t arr, wrapper;
    if (bson_init_static(&arr, data, len)) {
      bson_init(&wrapper);
      bson_append_array(&wrapper, "indexes", -1, &arr);
      char* json = bson_as_relaxed_extended_json(&wrapper, nullptr);
      if (json != nullptr) out = json;
      bson_free(json);
      bson_destroy(&wrapper);
    }
  }
  bson_destroy(meta);
  return out;
}

bool storable(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

FakeServer server_of(const FakeConfig& cfg, const std::optional<std::string>& uri,
                     const std::optional<std::string>& host,
                     const std::optional<std::string>& port) {
  FakeServer s;
  s.dir = cfg.dir;
  std::string authority;
  if (uri) authority = authority_of(*uri);
  if (host) authority = *host + (port ? ":" + *port : "");
  if (!host && port) authority = "localhost:" + *port;
  if (authority.empty() || authority == "localhost" || authority == "localhost:27017" ||
      authority == "127.0.0.1:27017") {
    s.state = cfg.dir / "state";
    s.production = {cfg.get("db", "smoker"), "admin", "config", "local"};
    std::string extra = cfg.get("extra_databases");
    for (std::size_t start = 0; start < extra.size();) {
      const auto comma = extra.find(',', start);
      const std::string name = extra.substr(start, comma - start);
      if (!name.empty()) s.production.insert(name);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return s;
  }
  s.default_server = false;
  s.state = cfg.dir / ("state-" + safe_key(authority));
  return s;
}

std::optional<std::string> store_collection(const FakeServer& server, const std::string& ns,
                                            const std::vector<std::string>& json_documents,
                                            const std::string& metadata, bool drop) {
  const auto dot = ns.find('.');
  if (dot == std::string::npos) return "invalid namespace " + ns;
  const std::string db = ns.substr(0, dot), coll = ns.substr(dot + 1);
  if (!storable(db) || !storable(coll)) return "the stand-in cannot store namespace " + ns;
  if (server.production.count(db)) {
    std::ofstream(server.dir / "production-writes", std::ios::app)
        << "mongorestore\t" << ns << "\n";
  }
  const auto dir = server.state / db;
  std::filesystem::create_directories(dir);
  std::ofstream docs(dir / (coll + ".jsonl"), drop ? std::ios::trunc : std::ios::app);
  for (const auto& d : json_documents) docs << d << "\n";
  std::ofstream(dir / (coll + ".indexes.json"), std::ios::trunc) << indexes_json(metadata) << "\n";
  return docs ? std::nullopt : std::optional<std::string>("cannot write " + dir.string());
}

}  // namespace fake_mongo
