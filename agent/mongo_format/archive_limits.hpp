#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

// The bounds every mongodump check keeps, whatever the dump holds (docs/configuration.md,
// "Limits on what a container sends").
namespace agent::mongo_format {

struct ArchiveLimits {
  // Inflated archive bytes (for a plain archive: archive bytes) beyond which the stream fails
  // at once with "archive inflates to more than ..." — a gzip bomb, or far more data than
  // expected. 0 = no cap. The caller derives it with inflated_size_cap().
  std::uint64_t max_inflated_bytes = 0;
  // Nesting of documents/arrays inside one document (MongoDB's BSONDepth default, 200). Only
  // a server run with a raised maxBSONDepth (at most 1000) can need more.
  std::uint32_t max_bson_depth = 200;
  // Namespaces (prelude entries, or collection files of a directory dump). Bounds memory
  // against a prelude of millions of tiny entries; real instances have far fewer collections.
  std::size_t max_namespaces = 100000;
};

// How the caller turns the previous backup into a cap for the next one.
struct InflatedCapPolicy {
  double ratio = 50;                                   // x previous backup's stored size
  std::uint64_t floor = 4ull * 1024 * 1024 * 1024;     // never below 4 GiB
  std::uint64_t ceiling = 64ull * 1024 * 1024 * 1024;  // never above this (0 = none)
};

// The cap for a dump whose previous valid backup stored `previous_stored_bytes` (its
// compressed archive size), or the ceiling when there is none:
// min(ceiling, max(floor, previous x ratio)).
std::uint64_t inflated_size_cap(std::optional<std::uint64_t> previous_stored_bytes,
                                const InflatedCapPolicy& policy = {});

}  // namespace agent::mongo_format
