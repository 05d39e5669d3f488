#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "agent/mongo_format/archive_verdict.hpp"

// mongodump's stderr log (docs/mongodump-format.md section 2): "<ts>\tdone dumping DB.COLL (N
// documents)" and
// "<ts>\tFailed: <message>" lines. Names may be plain (tools <= 100.15) or %#q-quoted
// (`DB.COLL`, tools >= 100.16).
namespace agent::mongo_format {

struct DumpLog {
  std::map<std::string, std::uint64_t> done_counts;  // "db.coll" -> N
  std::optional<std::string> failed;  // text after "Failed: " (may echo a URI: redact before use)
};

DumpLog parse_dump_log(std::string_view stderr_text);

// Compares the archive's per-namespace document counts with the log's; every mismatch, and
// every namespace present on only one side, becomes an error (and clears v.valid).
void check_counts(ArchiveVerdict& v, const DumpLog& log);

}  // namespace agent::mongo_format
