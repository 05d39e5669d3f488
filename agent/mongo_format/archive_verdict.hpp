#pragma once

#include <cstdint>
#include <string>
#include <vector>

// Result types shared by every mongodump validator (archive stream, directory dump).
namespace agent::mongo_format {

// One namespace (db.collection) found in a dump.
struct NamespaceStats {
  std::string db, collection;
  std::uint64_t documents = 0;   // body documents seen
  std::uint64_t bson_bytes = 0;  // sum of their BSON lengths
  std::uint64_t crc64 = 0;       // CRC-64/XZ computed over the body documents
  bool crc_ok = false;           // archive: equals the EOF block's CRC; directory: no CRC, false
  bool closed = false;           // archive: EOF block seen; directory: file read to its end
};

struct ArchiveVerdict {
  bool valid = false;
  // Each error names what is wrong and where (byte offset in the inflated stream, or file).
  std::vector<std::string> errors;
  // Not fatal (e.g. unexpected but tolerated format details, shrink versus history).
  std::vector<std::string> warnings;
  std::string tool_version, server_version;
  std::uint64_t compressed_bytes = 0;  // bytes fed (gzip) or read from disk
  std::uint64_t archive_bytes = 0;     // inflated archive bytes
  std::uint32_t gzip_members = 0;      // gzip members read (mongodump writes 1)
  bool size_cap_exceeded = false;      // stopped at ArchiveLimits::max_inflated_bytes
  std::vector<NamespaceStats> namespaces;

  // Total documents over all namespaces.
  std::uint64_t total_documents() const {
    std::uint64_t n = 0;
    for (const auto& ns : namespaces) n += ns.documents;
    return n;
  }
};

}  // namespace agent::mongo_format
