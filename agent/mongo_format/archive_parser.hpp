#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/mongo_format/archive_limits.hpp"
#include "agent/mongo_format/archive_verdict.hpp"

// Internal to mongo_format: the mongodump archive grammar (docs/mongodump-format.md sections 3-4)
// over the inflated byte stream, fed in chunks of any size. Documents that lie wholly inside a
// chunk are checked in place; only a document straddling two chunks is copied. Every name in the
// prelude must follow MongoDB's naming rules (mongo_names.hpp), or the stream is not a mongodump
// archive; names and versions in messages are escaped (agent/core/safe_text.hpp).
namespace agent::mongo_format {

// One collection-metadata document of the prelude.
struct PreludeEntry {
  std::string db, collection, metadata, type;
};

// Optional observer of a valid-so-far stream (used by the exporter). Callbacks stop at the
// first error.
class ArchiveSink {
 public:
  virtual ~ArchiveSink() = default;
  virtual void on_prelude(const PreludeEntry& entry) = 0;
  // Raw bytes of one or more consecutive body documents of namespace `ns` ("db.coll").
  virtual void on_documents(const std::string& ns, const std::uint8_t* data, std::size_t size) = 0;
  // Namespace `ns` got its EOF block with a matching CRC: no more documents will follow.
  virtual void on_namespace_end(const std::string& ns) { (void)ns; }
};

class ArchiveParser {
 public:
  explicit ArchiveParser(ArchiveSink* sink = nullptr, ArchiveLimits limits = {})
      : m_sink(sink), m_limits(limits) {}

  void consume(const std::uint8_t* data, std::size_t size);
  // End of stream: completeness checks; fills namespaces, versions, archive_bytes and errors.
  void finish(ArchiveVerdict& verdict);

  bool failed() const { return !m_error.empty(); }
  const std::string& error() const { return m_error; }

 private:
  enum class State { magic, header, prelude, block_header, body, after_eof };
  struct Namespace {
    NamespaceStats stats;
    bool in_prelude = false, opened = false;
    std::string alias_of;  // time-series: "db.system.buckets.c" stands for prelude "db.c"
  };

  // Handles a token at the current offset: a 4-byte terminator or a whole document.
  void on_terminator();
  void on_document(const std::uint8_t* doc, std::uint32_t size, bool crc_now);
  bool check_length(std::uint32_t len);
  void flush_run(const std::uint8_t* end);
  void fail(std::string message);
  void parse_header(const std::uint8_t* doc, std::uint32_t size);
  void parse_prelude(const std::uint8_t* doc, std::uint32_t size);
  void parse_block_header(const std::uint8_t* doc, std::uint32_t size);
  Namespace* find_namespace(const std::string& name);

  ArchiveSink* m_sink;
  ArchiveLimits m_limits;
  State m_state = State::magic;
  std::string m_error;
  std::uint64_t m_offset = 0;           // stream offset of the token being handled
  std::vector<std::uint8_t> m_pending;  // a token straddling chunks
  std::uint32_t m_pending_len = 0;      // its full length once known (0 = not yet)
  const std::uint8_t* m_run = nullptr;  // start of in-chunk body documents not yet CRC'd
  Namespace* m_current = nullptr;       // namespace of the open block
  std::string m_current_name;
  std::string m_tool_version, m_server_version;
  std::vector<std::string> m_order;  // namespace names in first-seen order
  std::unordered_map<std::string, Namespace> m_namespaces;
};

}  // namespace agent::mongo_format
