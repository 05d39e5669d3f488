#include "agent/drill/mongo_scripts.hpp"

#include <nlohmann/json.hpp>

namespace agent::drill {
namespace {

using nlohmann::json;

constexpr std::size_t k_max_entries = 100000;

// `const req = <json>;` followed by the body; ASCII only, so no shell or JS surprise.
std::string with_request(const json& req, const char* body) {
  return "const req = " + req.dump(-1, ' ', true) + ";\n" + body;
}

const char* k_print = "print(\"SMOKERBAK-RESULT \" + JSON.stringify(out));\n";

tl::expected<json, std::string> parse_object(const std::string& text) {
  const auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return tl::unexpected(
        std::string("the shell's answer is not the JSON object the script prints"));
  }
  return j;
}

std::vector<std::string> strings_of(const json& j, const char* key) {
  std::vector<std::string> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& s : *it) {
    if (s.is_string() && out.size() < k_max_entries) out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace

tl::expected<std::string, std::string> scratch_database(const std::string& drill_id,
                                                        const std::string& db) {
  std::string name = std::string(k_scratch_prefix) + drill_id + "_" + db;
  if (name.size() > 63) {
    return tl::unexpected("the scratch database name " + name + " is longer than MongoDB's 63 " +
                          "bytes; restore into a separate scratch server instead " +
                          "(drill.mongo.uri)");
  }
  return name;
}

std::string inventory_script(bool all) {
  const json req = {{"all", all}, {"prefix", k_scratch_prefix}, {"marker", k_marker_collection}};
  return with_request(req, R"JS(const out = {databases: []};
const listing = db.adminCommand({listDatabases: 1, nameOnly: true});
for (const d of listing.databases) {
  const e = {name: d.name, inspected: false};
  const system = ["admin", "config", "local"].indexOf(d.name) >= 0;
  if (!system && (req.all || d.name.indexOf(req.prefix) === 0)) {
    const m = db.getSiblingDB(d.name).getCollection(req.marker).findOne({_id: "drill"});
    e.inspected = true;
    if (m !== null) { e.target = String(m.target); e.drill_id = String(m.drill_id); }
  }
  out.databases.push(e);
}
)JS") + k_print;
}

tl::expected<std::vector<DatabaseEntry>, std::string> parse_inventory(const std::string& text) {
  auto j = parse_object(text);
  if (!j) return tl::unexpected(j.error());
  const auto it = j->find("databases");
  if (it == j->end() || !it->is_array()) {
    return tl::unexpected(std::string("the shell's answer has no database list"));
  }
  std::vector<DatabaseEntry> out;
  for (const auto& d : *it) {
    if (!d.is_object() || !d.contains("name") || !d["name"].is_string()) continue;
    if (out.size() >= k_max_entries) break;
    DatabaseEntry e;
    e.name = d["name"].get<std::string>();
    e.inspected = d.value("inspected", false);
    if (d.contains("target") && d["target"].is_string()) e.marker_target = d["target"];
    if (d.contains("drill_id") && d["drill_id"].is_string()) e.marker_drill_id = d["drill_id"];
    out.push_back(std::move(e));
  }
  return out;
}

std::string mark_script(const std::vector<std::string>& databases, const std::string& target,
                        const std::string& drill_id) {
  const json req = {{"databases", databases},
                    {"target", target},
                    {"drill_id", drill_id},
                    {"marker", k_marker_collection}};
  return with_request(req, R"JS(const out = {marked: [], refused: []};
for (const name of req.databases) {
  const d = db.getSiblingDB(name);
  const m = d.getCollection(req.marker).findOne({_id: "drill"});
  if (m !== null && m.target === req.target && m.drill_id === req.drill_id) { out.marked.push(name); continue; }
  if (m !== null || d.getCollectionNames().length > 0) { out.refused.push(name); continue; }
  d.getCollection(req.marker).insertOne({_id: "drill", target: req.target, drill_id: req.drill_id, started_at: new Date()});
  out.marked.push(name);
}
)JS") + k_print;
}

tl::expected<MarkAnswer, std::string> parse_mark(const std::string& text) {
  auto j = parse_object(text);
  if (!j) return tl::unexpected(j.error());
  return MarkAnswer{strings_of(*j, "marked"), strings_of(*j, "refused")};
}

std::string verify_script(const std::vector<ExpectedCollection>& collections,
                          const std::vector<std::string>& databases,
                          const std::vector<QueryCheck>& checks) {
  json cols = json::array();
  for (const auto& c : collections)
    cols.push_back({{"db", c.db}, {"name", c.name}, {"count", c.count}});
  json qs = json::array();
  for (const auto& q : checks) {
    qs.push_back({{"db", q.db}, {"collection", q.collection}, {"query", q.query}});
  }
  const json req = {{"collections", cols},
                    {"databases", databases},
                    {"checks", qs},
                    {"marker", k_marker_collection}};
  return with_request(
             req,
             R"JS(const parse = (typeof EJSON !== "undefined") ? function (t) { return EJSON.parse(t); } : function (t) { return JSON.parse(t); };
const out = {collections: [], extra: {}, checks: []};
const names = {};
for (const n of req.databases) names[n] = db.getSiblingDB(n).getCollectionNames();
for (const c of req.collections) {
  const d = db.getSiblingDB(c.db);
  const list = names[c.db] || d.getCollectionNames();
  const exists = list.indexOf(c.name) >= 0;
  const col = d.getCollection(c.name);
  out.collections.push({db: c.db, name: c.name, exists: exists,
                        count: (exists && c.count) ? col.countDocuments({}) : null,
                        indexes: exists ? col.getIndexes().map(function (i) { return i.name; }) : []});
}
for (const n of req.databases) {
  const expected = req.collections.filter(function (c) { return c.db === n; }).map(function (c) { return c.name; });
  out.extra[n] = names[n].filter(function (x) { return x !== req.marker && expected.indexOf(x) < 0 && x.indexOf("system.") !== 0; });
}
for (const k of req.checks) out.checks.push(db.getSiblingDB(k.db).getCollection(k.collection).countDocuments(parse(k.query)));
)JS") + k_print;
}

tl::expected<VerifyAnswer, std::string> parse_verify(const std::string& text) {
  auto j = parse_object(text);
  if (!j) return tl::unexpected(j.error());
  VerifyAnswer a;
  const auto cols = j->find("collections");
  const auto checks = j->find("checks");
  if (cols == j->end() || !cols->is_array() || checks == j->end() || !checks->is_array()) {
    return tl::unexpected(std::string("the shell's answer lacks the collections or the checks"));
  }
  for (const auto& c : *cols) {
    if (!c.is_object() || a.collections.size() >= k_max_entries) continue;
    FoundCollection f;
    f.db = c.value("db", "");
    f.name = c.value("name", "");
    f.exists = c.value("exists", false);
    if (c.contains("count") && c["count"].is_number_unsigned())
      f.count = c["count"].get<std::uint64_t>();
    if (c.contains("count") && c["count"].is_number_integer() &&
        c["count"].get<std::int64_t>() >= 0)
      f.count = static_cast<std::uint64_t>(c["count"].get<std::int64_t>());
    f.indexes = strings_of(c, "indexes");
    a.collections.push_back(std::move(f));
  }
  if (const auto extra = j->find("extra"); extra != j->end() && extra->is_object()) {
    for (const auto& [db, list] : extra->items()) {
      if (a.extra.size() >= k_max_entries) break;
      a.extra[db] = strings_of(json{{"l", list}}, "l");
    }
  }
  for (const auto& n : *checks) {
    if (!n.is_number() || a.check_counts.size() >= k_max_entries) {
      return tl::unexpected(std::string("a check's count is not a number"));
    }
    const double v = n.get<double>();
    a.check_counts.push_back(v < 0 ? 0 : static_cast<std::uint64_t>(v));
  }
  return a;
}

std::string drop_script(const std::vector<std::string>& databases, const std::string& target) {
  const json req = {{"databases", databases}, {"target", target}, {"marker", k_marker_collection}};
  return with_request(req, R"JS(const out = {dropped: [], kept: []};
for (const name of req.databases) {
  const d = db.getSiblingDB(name);
  const m = d.getCollection(req.marker).findOne({_id: "drill"});
  if (m === null || m.target !== req.target) { out.kept.push(name); continue; }
  d.dropDatabase();
  out.dropped.push(name);
}
)JS") + k_print;
}

tl::expected<DropAnswer, std::string> parse_drop(const std::string& text) {
  auto j = parse_object(text);
  if (!j) return tl::unexpected(j.error());
  return DropAnswer{strings_of(*j, "dropped"), strings_of(*j, "kept")};
}

}  // namespace agent::drill
