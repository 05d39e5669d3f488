#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

// The MongoDB shell scripts of a mongo drill and the answers they print (agent/mongo/
// mongo_shell.hpp runs them). Every value goes into a script as one JSON literal (`const req =
// {...};`, ASCII-escaped), never as code. The scripts use only shell API that mongosh and the
// legacy mongo shell share (plus EJSON.parse when the shell has it), as written in
// docs/operator-guide.md "Restore drills".
//
// A drill's copy lives in scratch databases named smokerbak_drill_<id>_<db> (on the production
// server) or under the original names on a scratch server. Each carries a marker collection
// `smokerbak_drill` with one document {_id: "drill", target, drill_id, started_at}: that is
// what makes a database the agent's to drop; a database without it is never dropped.
namespace agent::drill {

inline constexpr const char* k_scratch_prefix = "smokerbak_drill_";
inline constexpr const char* k_marker_collection = "smokerbak_drill";

// "smokerbak_drill_<id>_<db>", or an error when MongoDB's 63-byte limit does not allow it.
tl::expected<std::string, std::string> scratch_database(const std::string& drill_id,
                                                        const std::string& db);

// ---- inventory: every database, and the marker of those that may be a drill's ------------
struct DatabaseEntry {
  std::string name;
  bool inspected = false;  // the script looked for a marker
  std::optional<std::string> marker_target;
  std::optional<std::string> marker_drill_id;
};
// `all`: inspect every database but admin, config and local (a scratch server); else only those
// with the scratch prefix.
std::string inventory_script(bool all);
tl::expected<std::vector<DatabaseEntry>, std::string> parse_inventory(const std::string& json);

// ---- mark: create the marker in each scratch database; refuse a non-empty one without it ---
std::string mark_script(const std::vector<std::string>& databases, const std::string& target,
                        const std::string& drill_id);
struct MarkAnswer {
  std::vector<std::string> marked;
  std::vector<std::string> refused;  // exists, has collections, and no marker of ours
};
tl::expected<MarkAnswer, std::string> parse_mark(const std::string& json);

// ---- verify: counts, index names, operator checks ----------------------------------------
struct ExpectedCollection {
  std::string db;     // the scratch database
  std::string name;   // the collection
  bool count = true;  // false for views and time-series collections (counts differ by design)
};
struct QueryCheck {
  std::string db, collection;
  std::string query;  // Extended JSON text of a document
};
std::string verify_script(const std::vector<ExpectedCollection>& collections,
                          const std::vector<std::string>& databases,
                          const std::vector<QueryCheck>& checks);
struct FoundCollection {
  std::string db, name;
  bool exists = false;
  std::optional<std::uint64_t> count;
  std::vector<std::string> indexes;
};
struct VerifyAnswer {
  std::vector<FoundCollection> collections;               // in the order asked
  std::map<std::string, std::vector<std::string>> extra;  // db -> collections nobody expected
  std::vector<std::uint64_t> check_counts;                // in the order asked
};
tl::expected<VerifyAnswer, std::string> parse_verify(const std::string& json);

// ---- drop: each database that carries this target's marker; the rest is left alone -------
std::string drop_script(const std::vector<std::string>& databases, const std::string& target);
struct DropAnswer {
  std::vector<std::string> dropped;
  std::vector<std::string> kept;  // no marker of this target: not the agent's to drop
};
tl::expected<DropAnswer, std::string> parse_drop(const std::string& json);

}  // namespace agent::drill
