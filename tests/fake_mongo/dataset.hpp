#pragma once

#include <cstdint>
#include <string>
#include <vector>

// Deterministic, realistic MongoDB data for the stand-in mongodump and the validator tests:
// the collections a smoker-monitoring app keeps, with most BSON types (ObjectId, dates,
// doubles, int32/int64, decimal128, strings, bools, null, binary UUIDs, nested documents,
// arrays, regex, timestamp). Same spec -> same bytes.
namespace fake_mongo {

struct CollectionSpec {
  std::string name;
  // users | smokes | temps | notifications | empty | deep (k_deep_levels nested documents) |
  // oplog (oplog entries)
  std::string kind;
  std::uint64_t documents = 0;
};

// Nesting of a "deep" document below its top level: far beyond MongoDB's 200, and deep enough
// to overflow a recursive checker's stack (issue 11).
inline constexpr std::size_t k_deep_levels = 10000;

struct DatasetSpec {
  std::string db = "smoker";
  std::uint64_t seed = 1;
  std::vector<CollectionSpec> collections;
  // > 0: a whole-instance dump with --oplog, ending with this many entries in the archive's
  // oplog namespace (db "", collection "oplog").
  std::uint64_t oplog_entries = 0;
};

// The default small dataset (a few hundred KB): users, smokes, temps, notifications, presets
// (empty).
DatasetSpec default_dataset(const std::string& db = "smoker");
// The same collections scaled so the BSON adds up to about `bytes` (mostly temps readings).
DatasetSpec scaled_dataset(std::uint64_t bytes, const std::string& db = "smoker");

// Appends document `index` of collection `c` (raw BSON) to `out`.
void append_document(std::vector<std::uint8_t>& out, const CollectionSpec& c, std::uint64_t index,
                     std::uint64_t seed);

// The collection's .metadata.json text (canonical extended JSON, as mongodump 100.x writes).
std::string metadata_json(const std::string& db, const CollectionSpec& c);

}  // namespace fake_mongo
