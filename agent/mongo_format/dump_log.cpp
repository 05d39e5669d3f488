#include "agent/mongo_format/dump_log.hpp"

#include <charconv>
#include <set>

#include "agent/core/log.hpp"
#include "agent/core/safe_text.hpp"

namespace agent::mongo_format {
namespace {

std::string shown(std::string_view s) { return escape_control_chars(s, Tabs::escape); }

// Strips one level of %#q quoting (`name` or "name") used by tools >= 100.16.
std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 &&
      ((s.front() == '`' && s.back() == '`') || (s.front() == '"' && s.back() == '"'))) {
    s = s.substr(1, s.size() - 2);
  }
  return s;
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

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A decimal count that fits 64 bits, or nullopt.
std::optional<std::uint64_t> parse_count(std::string_view digits) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

void DumpLogParser::problem(std::string text) {
  if (m_log.problems.size() < k_max_problems) {
    m_log.problems.push_back(std::move(text));
  } else if (++m_more_problems == 1) {
    m_log.problems.push_back("more unreadable count lines follow (not listed)");
  }
}

void DumpLogParser::add_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view msg = message_of(line);
  constexpr std::string_view k_done = "done dumping ";
  constexpr std::string_view k_failed = "Failed: ";
  constexpr std::string_view k_dumped = "dumped ";
  if (starts_with(msg, k_failed)) {
    m_log.failed = std::string(msg.substr(k_failed.size()));
    return;
  }
  // "\tdumped N oplog entries" / "\tdumped 1 oplog entry" (mongodump/oplog_dump.go).
  if (const auto text = msg.find_first_not_of("\t ");
      text != std::string_view::npos && starts_with(msg.substr(text), k_dumped)) {
    std::string_view rest = msg.substr(text + k_dumped.size());
    const auto space = rest.find(' ');
    const std::string_view count = rest.substr(0, space);
    const std::string_view what = space == std::string_view::npos ? "" : rest.substr(space + 1);
    if (!all_digits(count) || (what != "oplog entries" && what != "oplog entry")) return;
    const auto n = parse_count(count);
    if (!n) {
      problem("mongodump reported an oplog entry count that is not a 64-bit number (" +
              shown(count.substr(0, 40)) + ")");
    } else if (m_log.oplog_entries && *m_log.oplog_entries != *n) {
      problem("mongodump reported two different oplog entry counts");
    } else {
      m_log.oplog_entries = n;
    }
    return;
  }
  if (!starts_with(msg, k_done)) return;
  // "done dumping NS (N documents)" / "(1 document)"; NS may contain spaces when quoted.
  const auto open = msg.rfind(" (");
  if (open == std::string_view::npos || open <= k_done.size()) return;
  const std::string_view ns = unquote(msg.substr(k_done.size(), open - k_done.size()));
  std::string_view count = msg.substr(open + 2);
  const auto space = count.find(' ');
  if (space == std::string_view::npos || space == 0) return;
  const std::string_view unit = count.substr(space + 1);
  count = count.substr(0, space);
  if (!all_digits(count) || (unit != "documents)" && unit != "document)")) return;
  const std::string name = escape_invalid_utf8(ns);
  const auto n = parse_count(count);
  if (!n) {
    problem("mongodump reported a document count for " + shown(name) +
            " that is not a 64-bit number (" + shown(count.substr(0, 40)) + ")");
    return;
  }
  const auto it = m_log.done_counts.find(name);
  if (it != m_log.done_counts.end()) {
    if (it->second != *n) {
      problem("mongodump reported " + shown(name) + " twice, with " + std::to_string(it->second) +
              " and " + std::to_string(*n) + " documents");
    }
    return;
  }
  if (m_log.done_counts.size() >= k_max_namespaces) {
    problem("mongodump reported more than " + std::to_string(k_max_namespaces) +
            " namespaces; the rest were not kept");
    return;
  }
  m_log.done_counts.emplace(name, *n);
}

DumpLog parse_dump_log(std::string_view text) {
  DumpLogParser parser;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    parser.add_line(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return parser.log();
}

std::string failure_text(const DumpLog& log) {
  if (!log.failed) return "";
  return escape_control_chars(redact(*log.failed), Tabs::escape);
}

FailureCause failure_cause(const DumpLog& log) {
  if (!log.failed) return FailureCause::none;
  const std::string& line = *log.failed;
  if (line.find("Authentication failed") != std::string::npos ||
      line.find("AuthenticationFailed") != std::string::npos) {
    return FailureCause::authentication;
  }
  return FailureCause::other;
}

void check_counts(ArchiveVerdict& v, const DumpLog& log) {
  std::set<std::string> seen;
  bool archive_has_oplog = false;
  for (const auto& ns : v.namespaces) {
    if (ns.db.empty() && ns.collection == "oplog") {
      archive_has_oplog = true;
      if (!log.oplog_entries) {
        v.errors.push_back(
            "mongodump did not report how many oplog entries it dumped (no \"dumped N oplog "
            "entries\" line)");
      } else if (*log.oplog_entries != ns.documents) {
        v.errors.push_back("oplog entry count mismatch: mongodump reported " +
                           std::to_string(*log.oplog_entries) + ", the archive holds " +
                           std::to_string(ns.documents));
      }
      continue;
    }
    const std::string name = ns.db + "." + ns.collection;
    seen.insert(name);
    const auto it = log.done_counts.find(name);
    if (it == log.done_counts.end()) {
      v.errors.push_back("mongodump did not report finishing " + shown(name) +
                         " (no \"done dumping\" line)");
    } else if (it->second != ns.documents) {
      v.errors.push_back("document count mismatch for " + shown(name) + ": mongodump reported " +
                         std::to_string(it->second) + ", the archive holds " +
                         std::to_string(ns.documents));
    }
  }
  for (const auto& [name, n] : log.done_counts) {
    if (seen.count(name) == 0) {
      v.errors.push_back("mongodump reported " + shown(name) + " (" + std::to_string(n) +
                         " documents) but the archive does not contain it");
    }
  }
  if (log.oplog_entries && !archive_has_oplog) {
    v.errors.push_back("mongodump reported " + std::to_string(*log.oplog_entries) +
                       " oplog entries but the archive has no oplog");
  }
  for (const auto& p : log.problems) v.errors.push_back(p);
  if (log.failed) v.errors.push_back("mongodump failed: " + failure_text(log));
  v.valid = v.errors.empty();
}

}  // namespace agent::mongo_format
