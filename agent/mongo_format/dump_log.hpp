#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/mongo_format/archive_verdict.hpp"

// mongodump's stderr log (docs/mongodump-format.md section 2): "<ts>\tdone dumping DB.COLL (N
// documents)",
// "<ts>\t\tdumped N oplog entries" (a whole-instance dump with --oplog) and
// "<ts>\tFailed: <message>" lines. Names may be plain (tools <= 100.15) or %#q-quoted
// (`DB.COLL`, tools >= 100.16). The text comes from the container: every number is parsed with
// bounds (an unreadable count is a problem, never an exception), names are stored as valid
// UTF-8, and the parser's memory is bounded whatever the log holds.
namespace agent::mongo_format {

struct DumpLog {
  std::map<std::string, std::uint64_t> done_counts;  // "db.coll" -> N (names valid UTF-8)
  std::optional<std::uint64_t> oplog_entries;        // "dumped N oplog entries"
  // Text after the last "Failed: ", as mongodump wrote it (at most one 64 KiB line; may echo
  // a URI with a password and hold any bytes): use failure_text() to store or print it.
  std::optional<std::string> failed;
  // Count lines that could not be used: a number that does not fit 64 bits, a namespace
  // reported twice with different counts, more namespaces than the parser keeps. Each is an
  // error in check_counts (a count that cannot be read cannot confirm anything). Bounded.
  std::vector<std::string> problems;
};

// Feeds the log line by line (as remote::StderrLineSink delivers it), so a caller that keeps
// only a bounded copy of stderr still sees every count line.
class DumpLogParser {
 public:
  static constexpr std::size_t k_max_namespaces = 100000;
  static constexpr std::size_t k_max_problems = 20;

  void add_line(std::string_view line);
  const DumpLog& log() const { return m_log; }

 private:
  void problem(std::string text);
  DumpLog m_log;
  std::size_t m_more_problems = 0;
};

// The whole stderr text at once (lines split on '\n', a trailing '\r' dropped).
DumpLog parse_dump_log(std::string_view stderr_text);

// The Failed: line ready to store or print: secrets redacted (agent::redact), then control
// characters and invalid UTF-8 escaped. Empty when there is none.
std::string failure_text(const DumpLog& log);

// What the Failed: line says, as far as the agent acts on it. The tools' words are matched
// here and nowhere else (docs/mongodump-format.md section 2).
enum class FailureCause {
  none,            // no Failed: line
  authentication,  // "Authentication failed" / "AuthenticationFailed": wrong user or password
  other,
};
FailureCause failure_cause(const DumpLog& log);

// Compares the archive's per-namespace document counts with the log's (the archive's oplog
// namespace, db "" collection "oplog", with the "dumped N oplog entries" line); every mismatch,
// every namespace present on only one side, every problem and a Failed: line becomes an error
// (and clears v.valid).
void check_counts(ArchiveVerdict& v, const DumpLog& log);

}  // namespace agent::mongo_format
