// libFuzzer target: mongodump's stderr log parser and the count cross-check. Invariants: no
// crash or exception (counts are parsed with bounds); the line parser and the text parser
// agree; everything check_counts writes is valid UTF-8 without ESC (it is stored and printed).
#include <nlohmann/json.hpp>

#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/dump_log.hpp"
#include "tests/fuzz/fuzz_util.hpp"

namespace mf = agent::mongo_format;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const mf::DumpLog log = mf::parse_dump_log(text);
  mf::DumpLogParser lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.add_line(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  fuzz::check(lines.log().done_counts == log.done_counts, "line parser disagrees (counts)");
  fuzz::check(lines.log().oplog_entries == log.oplog_entries, "line parser disagrees (oplog)");
  fuzz::check(lines.log().failed == log.failed, "line parser disagrees (failed)");
  fuzz::check(log.problems.size() <= mf::DumpLogParser::k_max_problems + 1, "problems unbounded");

  // A verdict that half matches the log: every name of the log, with counts off by one.
  mf::ArchiveVerdict v;
  v.valid = true;
  for (const auto& [ns, n] : log.done_counts) {
    mf::NamespaceStats s;
    const auto dot = ns.find('.');
    s.db = ns.substr(0, dot);
    s.collection = dot == std::string::npos ? "" : ns.substr(dot + 1);
    s.documents = n + (ns.size() % 2);
    v.namespaces.push_back(s);
  }
  mf::check_counts(v, log);
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : v.errors) {
    fuzz::check(agent::is_valid_utf8(e) && e.find('\x1B') == std::string::npos, "unsafe error", e);
    j.push_back(e);
  }
  for (const auto& [ns, n] : log.done_counts) j.push_back(ns);  // stored in the manifest
  (void)j.dump();
  const std::string f = mf::failure_text(log);
  fuzz::check(agent::is_valid_utf8(f) && f.find('\r') == std::string::npos, "unsafe Failed text");
  return 0;
}
