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
  std::string kind;  // users | smokes | temps | notifications | empty
  std::uint64_t documents = 0;
};

struct DatasetSpec {
  std::string db = "smoker";
  std::uint64_t seed = 1;
  std::vector<CollectionSpec> collections;
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
