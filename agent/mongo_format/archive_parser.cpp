#include "agent/mongo_format/archive_parser.hpp"

#include <algorithm>
#include <cstring>

#include <bson/bson.h>
#include <nlohmann/json.hpp>

#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/bson_check.hpp"
#include "agent/mongo_format/crc64.hpp"
#include "agent/mongo_format/mongo_names.hpp"

namespace agent::mongo_format {
namespace {

constexpr std::uint32_t k_magic = 0x8199E26Du;
constexpr std::uint32_t k_terminator = 0xFFFFFFFFu;

std::string hex64(std::uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x0000000000000000";
  for (int i = 17; i >= 2; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 0xF];
  return s;
}

// Reads a UTF-8 string field, or returns false when absent or of another type.
bool get_string(const bson_t& doc, const char* key, std::string& out) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, &doc, key) || !BSON_ITER_HOLDS_UTF8(&it)) return false;
  std::uint32_t len = 0;
  const char* s = bson_iter_utf8(&it, &len);
  out.assign(s, len);
  return true;
}

// Header versions are shown and stored: escaped, and cut to a sane length.
std::string version_text(const std::string& v) {
  constexpr std::size_t k_max = 128;
  return escape_control_chars(v.size() > k_max ? v.substr(0, k_max) + "..." : v, Tabs::escape);
}

// A list of namespaces for a message: the first few, then how many more.
std::string join_names(const std::vector<std::string>& names) {
  constexpr std::size_t k_shown = 20;
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < k_shown; ++i) {
    s += (s.empty() ? "" : ", ") + escape_control_chars(names[i], Tabs::escape);
  }
  if (names.size() > k_shown) s += " and " + std::to_string(names.size() - k_shown) + " more";
  return s;
}

const char* state_name(int s) {
  static const char* names[] = {"the archive magic", "the archive header document", "the prelude",
                                "a block header",    "a block's documents",         "an EOF block"};
  return names[s];
}

}  // namespace

void ArchiveParser::fail(std::string message) {
  if (m_error.empty())
    m_error = std::move(message) + " (archive offset " + std::to_string(m_offset) + ")";
}

bool ArchiveParser::check_length(std::uint32_t len) {
  if (len < 5 || len > k_max_bson_size) {
    fail("corruption: 0x" + hex64(len).substr(10) +
         " is neither a BSON length (5..16 MiB) nor an archive terminator, in " +
         state_name(static_cast<int>(m_state)));
    return false;
  }
  return true;
}

void ArchiveParser::flush_run(const std::uint8_t* end) {
  if (m_run == nullptr) return;
  const auto n = static_cast<std::size_t>(end - m_run);
  m_current->stats.crc64 = crc64_xz(m_current->stats.crc64, m_run, n);
  if (m_sink) m_sink->on_documents(m_current_name, m_run, n);
  m_run = nullptr;
}

void ArchiveParser::consume(const std::uint8_t* data, std::size_t size) {
  while (size > 0 && m_error.empty()) {
    if (!m_pending.empty() || size < 4) {
      // Slow path: assemble one token across chunk boundaries.
      std::size_t want =
          m_pending.size() < 4 ? 4 - m_pending.size() : m_pending_len - m_pending.size();
      std::size_t take = std::min(want, size);
      m_pending.insert(m_pending.end(), data, data + take);
      data += take;
      size -= take;
      if (m_pending.size() == 4 && m_pending_len == 0) {
        const std::uint32_t word = read_le32(m_pending.data());
        if (m_state == State::magic) {
          if (word != k_magic) fail("stream does not appear to be a mongodump archive (bad magic)");
          m_state = State::header;
          m_offset += 4;
          m_pending.clear();
          continue;
        }
        if (word == k_terminator) {
          on_terminator();
          m_offset += 4;
          m_pending.clear();
          continue;
        }
        if (!check_length(word)) return;
        m_pending_len = word;
      }
      if (m_pending_len != 0 && m_pending.size() == m_pending_len) {
        on_document(m_pending.data(), m_pending_len, true);
        m_offset += m_pending_len;
        m_pending.clear();
        m_pending_len = 0;
      }
      continue;
    }
    // Fast path: whole tokens inside this chunk, checked in place.
    const std::uint8_t* p = data;
    const std::uint8_t* const end = data + size;
    while (end - p >= 4 && m_error.empty()) {
      const std::uint32_t word = read_le32(p);
      if (m_state == State::magic) {
        if (word != k_magic) {
          fail("stream does not appear to be a mongodump archive (bad magic)");
          return;
        }
        m_state = State::header;
        p += 4;
        m_offset += 4;
        continue;
      }
      if (word == k_terminator) {
        flush_run(p);
        on_terminator();
        p += 4;
        m_offset += 4;
        continue;
      }
      if (!check_length(word)) return;
      if (static_cast<std::size_t>(end - p) < word) break;
      if (m_state == State::body) {
        if (m_run == nullptr) m_run = p;
        on_document(p, word, false);
      } else {
        on_document(p, word, true);
      }
      p += word;
      m_offset += word;
    }
    if (!m_error.empty()) return;
    flush_run(p);
    size = static_cast<std::size_t>(end - p);
    data = p;
    if (size > 0) {
      m_pending.assign(data, data + std::min<std::size_t>(size, 4));
      m_pending_len = 0;
      if (size >= 4) {
        m_pending_len = read_le32(data);  // length already checked above
        m_pending.assign(data, end);
      }
      size = 0;
    }
  }
}

void ArchiveParser::on_terminator() {
  switch (m_state) {
    case State::magic:
    case State::header:
      fail("archive header document missing");
      break;
    case State::prelude:
      m_state = State::block_header;
      break;
    case State::block_header:
      fail("consecutive terminators / headerless block");
      break;
    case State::body:
    case State::after_eof:
      m_state = State::block_header;
      m_current = nullptr;
      break;
  }
}

void ArchiveParser::on_document(const std::uint8_t* doc, std::uint32_t size, bool crc_now) {
  if (doc[size - 1] != 0) {
    fail("BSON document of " + std::to_string(size) + " bytes does not end with a NUL byte");
    return;
  }
  if (auto why = check_bson(doc, size, m_limits.max_bson_depth)) {
    fail(*why + " in " + state_name(static_cast<int>(m_state)) +
         (m_current ? " of " + shown_name(m_current_name) : std::string()));
    return;
  }
  switch (m_state) {
    case State::magic:
      break;
    case State::header:
      parse_header(doc, size);
      break;
    case State::prelude:
      parse_prelude(doc, size);
      break;
    case State::block_header:
      parse_block_header(doc, size);
      break;
    case State::body: {
      auto& st = m_current->stats;
      ++st.documents;
      st.bson_bytes += size;
      if (crc_now) {
        st.crc64 = crc64_xz(st.crc64, doc, size);
        if (m_sink) m_sink->on_documents(m_current_name, doc, size);
      }
      break;
    }
    case State::after_eof:
      fail("collection data after the EOF block of " + shown_name(m_current_name));
      break;
  }
}

void ArchiveParser::parse_header(const std::uint8_t* doc, std::uint32_t size) {
  bson_t b;
  bson_init_static(&b, doc, size);
  std::string version;
  if (!get_string(b, "version", version)) {
    fail("archive header has no version field");
    return;
  }
  if (version != "0.1") {
    fail("unsupported archive format version " + shown_name(version) + " (expected 0.1)");
    return;
  }
  std::string server, tool;
  get_string(b, "server_version", server);
  get_string(b, "tool_version", tool);
  m_server_version = version_text(server);
  m_tool_version = version_text(tool);
  m_state = State::prelude;
}

void ArchiveParser::parse_prelude(const std::uint8_t* doc, std::uint32_t size) {
  bson_t b;
  bson_init_static(&b, doc, size);
  PreludeEntry e;
  if (!get_string(b, "db", e.db) || !get_string(b, "collection", e.collection)) {
    fail("prelude entry lacks a db or collection string");
    return;
  }
  if (auto why = namespace_problem(e.db, e.collection)) {
    fail("not a mongodump archive: the prelude names a namespace no MongoDB server can have: " +
         *why);
    return;
  }
  get_string(b, "metadata", e.metadata);
  get_string(b, "type", e.type);
  const std::string name = e.db + "." + e.collection;
  if (!e.metadata.empty() && !nlohmann::json::accept(e.metadata)) {
    fail("metadata of " + shown_name(name) + " in the prelude is not valid JSON");
    return;
  }
  if (m_namespaces.count(name) != 0) {
    fail("namespace " + shown_name(name) + " appears twice in the prelude");
    return;
  }
  if (m_namespaces.size() >= m_limits.max_namespaces) {
    fail("the prelude announces more than " + std::to_string(m_limits.max_namespaces) +
         " namespaces (the limit on collections per dump)");
    return;
  }
  auto& ns = m_namespaces[name];
  ns.in_prelude = true;
  ns.stats.db = e.db;
  ns.stats.collection = e.collection;
  m_order.push_back(name);
  if (e.type == "timeseries") {
    // Servers < 8.3 send the data as db.system.buckets.<coll> (docs/mongodump-format.md section 3).
    const std::string data_name = e.db + ".system.buckets." + e.collection;
    auto& alias = m_namespaces[data_name];
    alias.alias_of = name;
    alias.stats.db = e.db;
    alias.stats.collection = "system.buckets." + e.collection;
    m_order.push_back(data_name);
  }
  if (m_sink) m_sink->on_prelude(e);
}

void ArchiveParser::parse_block_header(const std::uint8_t* doc, std::uint32_t size) {
  bson_t b;
  bson_init_static(&b, doc, size);
  bson_iter_t it;
  bson_iter_init(&it, &b);
  std::string db, coll;
  bool eof = false;
  std::int64_t crc = 0;
  static const char* expected[] = {"db", "collection", "EOF", "CRC"};
  int i = 0;
  while (bson_iter_next(&it)) {
    if (i >= 4 || std::strcmp(bson_iter_key(&it), expected[i]) != 0) {
      fail("block header has unexpected field " + shown_name(bson_iter_key(&it)));
      return;
    }
    bool type_ok = true;
    switch (i) {
      case 0:
      case 1: {
        type_ok = BSON_ITER_HOLDS_UTF8(&it);
        if (type_ok) {
          std::uint32_t len = 0;
          const char* s = bson_iter_utf8(&it, &len);
          (i == 0 ? db : coll).assign(s, len);
        }
        break;
      }
      case 2:
        type_ok = BSON_ITER_HOLDS_BOOL(&it);
        if (type_ok) eof = bson_iter_bool(&it);
        break;
      case 3:
        type_ok = BSON_ITER_HOLDS_INT64(&it);
        if (type_ok) crc = bson_iter_int64(&it);
        break;
    }
    if (!type_ok) {
      fail(std::string("block header field ") + expected[i] + " has the wrong BSON type");
      return;
    }
    ++i;
  }
  if (i != 4) {
    fail("block header lacks fields (needs db, collection, EOF, CRC)");
    return;
  }
  if (coll.empty()) {
    fail("block header with an empty collection name");
    return;
  }
  m_current_name = db + "." + coll;
  Namespace* ns = find_namespace(m_current_name);
  if (ns == nullptr) {
    fail("block for namespace " + shown_name(m_current_name) +
         " that the prelude does not announce");
    return;
  }
  if (ns->stats.closed) {
    fail("block for namespace " + shown_name(m_current_name) + " after its EOF block");
    return;
  }
  ns->opened = true;
  m_current = ns;
  if (!eof) {
    if (crc != 0) {
      fail("data segment header of " + shown_name(m_current_name) + " carries a non-zero CRC");
    }
    m_state = State::body;
    return;
  }
  const auto stored = static_cast<std::uint64_t>(crc);
  ns->stats.closed = true;
  ns->stats.crc_ok = stored == ns->stats.crc64;
  if (!ns->stats.crc_ok) {
    fail("CRC mismatch for namespace " + shown_name(m_current_name) + ": EOF block says " +
         hex64(stored) + ", documents give " + hex64(ns->stats.crc64));
    return;
  }
  m_state = State::after_eof;
  if (m_sink) m_sink->on_namespace_end(m_current_name);
}

ArchiveParser::Namespace* ArchiveParser::find_namespace(const std::string& name) {
  auto it = m_namespaces.find(name);
  return it == m_namespaces.end() ? nullptr : &it->second;
}

void ArchiveParser::finish(ArchiveVerdict& verdict) {
  // The stream ending mid-token is reported together with the namespaces it left unfinished;
  // any other grammar error makes those counts meaningless.
  bool truncated = false;
  if (m_error.empty()) {
    if (m_state == State::magic && m_pending.empty() && m_offset == 0) {
      fail("empty stream: no archive data");
    } else if (!m_pending.empty() || m_state != State::block_header) {
      truncated = true;
      fail("archive truncated inside " +
           std::string(m_pending.empty() ? state_name(static_cast<int>(m_state))
                                         : "a document or terminator") +
           " (" + std::to_string(m_pending.size()) + " bytes of an unfinished token)");
    }
  }
  std::vector<std::string> unfinished, unseen;
  for (const auto& name : m_order) {
    const Namespace& ns = m_namespaces.at(name);
    if (!ns.alias_of.empty()) {
      if (ns.opened) verdict.namespaces.push_back(ns.stats);
      continue;
    }
    bool closed = ns.stats.closed;
    bool opened = ns.opened;
    // A time-series prelude entry is satisfied by its buckets namespace.
    for (const auto& [alias_name, alias] : m_namespaces) {
      if (alias.alias_of == name && alias.opened) {
        opened = true;
        closed = alias.stats.closed;
        break;
      }
    }
    if (ns.opened || !opened) verdict.namespaces.push_back(ns.stats);
    if (opened && !closed) unfinished.push_back(name);
    if (!opened) unseen.push_back(name);
  }
  if (m_error.empty() || truncated) {
    if (!unfinished.empty())
      verdict.errors.push_back("archive finished but namespaces were unfinished (no EOF block): " +
                               join_names(unfinished));
    if (!unseen.empty())
      verdict.errors.push_back("archive finished before all collections were seen: " +
                               join_names(unseen));
  }
  if (!m_error.empty()) verdict.errors.insert(verdict.errors.begin(), m_error);
  verdict.tool_version = m_tool_version;
  verdict.server_version = m_server_version;
  verdict.archive_bytes = m_offset + m_pending.size();
}

}  // namespace agent::mongo_format
