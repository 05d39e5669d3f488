#include "agent/mongo_format/dump_log.hpp"

#include <algorithm>
#include <set>

#include "agent/core/log.hpp"

namespace agent::mongo_format {
namespace {

// Strips one level of %#q quoting (`name` or "name") used by tools >= 100.16.
std::string unquote(std::string_view s) {
  if (s.size() >= 2 &&
      ((s.front() == '`' && s.back() == '`') || (s.front() == '"' && s.back() == '"'))) {
    s = s.substr(1, s.size() - 2);
  }
  return std::string(s);
}

// The message part of "<ts>\t<message>"; lines without a timestamp (the password prompt) are
// returned whole.
std::string_view message_of(std::string_view line) {
  const auto tab = line.find('\t');
  if (tab == std::string_view::npos) return line;
  // A timestamp is 28 characters: 2006-01-02T15:04:05.000-0700.
  if (tab == 28 && line.size() > 10 && line[4] == '-' && line[10] == 'T')
    return line.substr(tab + 1);
  return line;
}

}  // namespace

DumpLog parse_dump_log(std::string_view text) {
  DumpLog log;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view msg = message_of(line);
    constexpr std::string_view k_done = "done dumping ";
    constexpr std::string_view k_failed = "Failed: ";
    if (msg.substr(0, k_failed.size()) == k_failed) {
      log.failed = std::string(msg.substr(k_failed.size()));
      continue;
    }
    if (msg.substr(0, k_done.size()) != k_done) continue;
    // "done dumping NS (N documents)" / "(1 document)"; NS may contain spaces when quoted.
    const auto open = msg.rfind(" (");
    if (open == std::string_view::npos || open <= k_done.size()) continue;
    const std::string_view ns = msg.substr(k_done.size(), open - k_done.size());
    std::string_view count = msg.substr(open + 2);
    const auto space = count.find(' ');
    if (space == std::string_view::npos || space == 0) continue;
    count = count.substr(0, space);
    if (!std::all_of(count.begin(), count.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    log.done_counts[unquote(ns)] = std::stoull(std::string(count));
  }
  return log;
}

void check_counts(ArchiveVerdict& v, const DumpLog& log) {
  std::set<std::string> seen;
  for (const auto& ns : v.namespaces) {
    const std::string name = ns.db + "." + ns.collection;
    seen.insert(name);
    const auto it = log.done_counts.find(name);
    if (it == log.done_counts.end()) {
      v.errors.push_back("mongodump did not report finishing " + name +
                         " (no \"done dumping\" line)");
    } else if (it->second != ns.documents) {
      v.errors.push_back("document count mismatch for " + name + ": mongodump reported " +
                         std::to_string(it->second) + ", the archive holds " +
                         std::to_string(ns.documents));
    }
  }
  for (const auto& [name, n] : log.done_counts) {
    if (seen.count(name) == 0) {
      v.errors.push_back("mongodump reported " + name + " (" + std::to_string(n) +
                         " documents) but the archive does not contain it");
    }
  }
  if (log.failed) v.errors.push_back("mongodump failed: " + redact(*log.failed));
  v.valid = v.errors.empty();
}

}  // namespace agent::mongo_format
