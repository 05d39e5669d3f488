#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/fake_mongo/fake_env.hpp"

// The stand-in MongoDB server's state, shared by the stand-in mongorestore (writes what it
// restores) and the stand-in mongosh (tests/fake_mongo/mongosh.js: counts, indexes, listing and
// dropping databases). One directory per server:
//   <dir>/state/                  the default server (no --uri/--host given)
//   <dir>/state-<host>_<port>/    another one (a scratch mongod)
// holding <db>/<collection>.jsonl (one relaxed Extended JSON document per line) and
// <db>/<collection>.indexes.json ({"indexes": [...]}, as the archive's metadata has them).
// The production databases of the default server -- the configured `db`, `extra_databases`,
// admin, config, local -- have no data here (mongodump generates theirs); any write into one
// of them is appended to <dir>/production-writes, so a test can prove none happened.
namespace fake_mongo {

struct FakeServer {
  std::filesystem::path dir;    // the stand-in's settings directory
  std::filesystem::path state;  // this server's state directory
  bool default_server = true;
  std::set<std::string> production;  // database names (default server only)
};

// From mongorestore's --uri or --host/--port (mongosh computes the same in JavaScript).
FakeServer server_of(const FakeConfig& cfg, const std::optional<std::string>& uri,
                     const std::optional<std::string>& host,
                     const std::optional<std::string>& port);

// Writes collection `ns` ("db.coll"): the documents (replacing them with `drop`, else appending)
// and the index list from the archive's metadata text (only _id_ when it has none). An error
// text for names that cannot be stored.
std::optional<std::string> store_collection(const FakeServer& server, const std::string& ns,
                                            const std::vector<std::string>& json_documents,
                                            const std::string& metadata, bool drop);

}  // namespace fake_mongo
