#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/mongo_format/archive_limits.hpp"
#include "agent/mongo_format/archive_verdict.hpp"

// What a mongodump archive says it holds beyond the counts: each namespace's type and index
// names, from the collection metadata of its prelude (docs/mongodump-format.md section 3), read
// in the same one pass that validates it (the drill compares a restored copy with both).
namespace agent::mongo_format {

struct NamespaceShape {
  std::string type;  // "collection", "view", "timeseries"; "" for the oplog
  // Index names as in the metadata ("_id_", "ts_1"): valid UTF-8, otherwise untrusted text
  // (escape before showing).
  std::vector<std::string> indexes;
};

struct InventoryResult {
  ArchiveVerdict verdict;
  std::map<std::string, NamespaceShape> namespaces;  // "db.coll" -> shape
};

// Feeds like ArchiveValidator (gzip-compressed archive bytes, in order, any chunk size).
// Metadata that is not the JSON mongodump writes leaves that namespace's index list empty and
// adds a warning to the verdict; it never fails the archive (mongorestore decides that).
class ArchiveInventory {
 public:
  explicit ArchiveInventory(bool gzip = true, const ArchiveLimits& limits = {});
  ~ArchiveInventory();
  ArchiveInventory(const ArchiveInventory&) = delete;
  ArchiveInventory& operator=(const ArchiveInventory&) = delete;

  void feed(const std::uint8_t* data, std::size_t size);
  InventoryResult finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// The index names of one collection-metadata text ({"indexes": [{"name": ...}, ...], ...});
// nullopt when it is not such a JSON document.
std::optional<std::vector<std::string>> index_names_of_metadata(const std::string& metadata);

}  // namespace agent::mongo_format
