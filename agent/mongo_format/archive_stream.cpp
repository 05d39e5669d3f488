#include "agent/mongo_format/archive_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "agent/core/human_format.hpp"
#include "agent/core/safe_text.hpp"

namespace agent::mongo_format {
namespace {

std::string cap_reason(std::uint64_t cap, std::uint64_t compressed, bool gzip) {
  return std::string(gzip ? "archive inflates" : "archive is") + " to more than " +
         human_bytes(cap) + " (" + std::to_string(cap) +
         " bytes, the size cap for this backup); stopped after " + std::to_string(compressed) +
         " bytes of input. A gzip bomb, or far more data than the previous backup: if the "
         "database really grew, raise mongo.max_inflated_bytes or mongo.max_inflated_ratio";
}

}  // namespace

ArchiveStream::ArchiveStream(bool gzip, const ArchiveLimits& limits, ArchiveSink* sink,
                             ArchiveParsing parsing)
    : m_limits(limits), m_parser(sink, limits) {
  if (!gzip) return;
  if (parsing == ArchiveParsing::own_thread && sink == nullptr) {
    m_ring = std::make_unique<BufferRing>(k_ring_slots, k_ring_slot_size);
    m_gzip.emplace(m_ring.get());
    m_parse_thread = std::thread([this] { parse_from_ring(); });
  } else {
    m_gzip.emplace([this](const std::uint8_t* p, std::size_t n) { m_parser.consume(p, n); });
  }
  m_gzip->set_output_limit(limits.max_inflated_bytes);
}

ArchiveStream::~ArchiveStream() { stop_parse_thread(); }

void ArchiveStream::parse_from_ring() {
  while (const auto piece = m_ring->take()) {
    // After a failure the parser ignores input; the slot still goes back at once.
    if (!m_parse_failed.load(std::memory_order_relaxed)) {
      m_parser.consume(piece->data, piece->size);
      if (m_parser.failed()) {
        m_parse_failed_piece = piece->tag;
        m_parse_failed.store(true, std::memory_order_relaxed);
      }
    }
    m_ring->done(piece->data);
  }
}

void ArchiveStream::stop_parse_thread() {
  if (!m_parse_thread.joinable()) return;
  m_ring->close();
  m_parse_thread.join();
}

bool ArchiveStream::failed() const {
  const bool parse_failed = m_parse_thread.joinable()
                                ? m_parse_failed.load(std::memory_order_relaxed)
                                : m_parser.failed();
  return parse_failed || m_plain_over_cap || (m_gzip && m_gzip->failed());
}

void ArchiveStream::feed(const std::uint8_t* data, std::size_t size) {
  m_fed += size;
  if (failed()) return;  // stay cheap once the verdict is known
  if (m_gzip) {
    if (m_ring) m_ring->set_tag(++m_pieces);
    m_gzip->feed(data, size);
    if (m_ring && m_gzip->failed() && !m_gzip_failed_piece) m_gzip_failed_piece = m_pieces;
    return;
  }
  const std::uint64_t cap = m_limits.max_inflated_bytes;
  if (cap != 0 && size > cap - m_plain) {
    m_parser.consume(data, static_cast<std::size_t>(cap - m_plain));
    m_plain = cap;
    m_plain_over_cap = true;
    return;
  }
  m_plain += size;
  m_parser.consume(data, size);
}

ArchiveVerdict ArchiveStream::finish() {
  stop_parse_thread();  // every inflated byte parsed; the parser is this thread's again
  // Input stops being inflated once the archive grammar failed: the gzip stream's own end is
  // then unknown, and its "truncated" would hide the real reason.
  const bool grammar_failed = m_parser.failed();
  ArchiveVerdict v;
  m_parser.finish(v);
  v.compressed_bytes = m_fed;
  // A gzip failure or the size cap explains any archive-level truncation that follows from it,
  // so it comes first; the archive checks still ran on what was inflated.
  std::string first;
  // Own-thread parsing only: gzip ran ahead of a grammar failure (see m_gzip_failed_piece).
  const bool gzip_ran_ahead =
      grammar_failed && m_gzip_failed_piece && *m_gzip_failed_piece > m_parse_failed_piece;
  if (m_gzip) {
    if (!grammar_failed) m_gzip->finish();
    v.gzip_members = m_gzip->members();
    if (gzip_ran_ahead) {
      // nothing: the grammar's reason stands alone, as when parsing on the caller's thread
    } else if (m_gzip->limit_exceeded()) {
      first = cap_reason(m_limits.max_inflated_bytes, m_gzip->compressed_bytes(), true);
    } else if (m_gzip->failed()) {
      first = "gzip: " + m_gzip->error();
    }
  } else if (m_plain_over_cap) {
    first = cap_reason(m_limits.max_inflated_bytes, m_plain, false);
  }
  if (!first.empty()) {
    v.size_cap_exceeded =
        m_plain_over_cap || (m_gzip && !gzip_ran_ahead && m_gzip->limit_exceeded());
    v.errors.insert(v.errors.begin(), first);
  }
  v.valid = v.errors.empty();
  return v;
}

FileReadError read_file_pieces(const std::filesystem::path& path,
                               const std::function<void(const std::uint8_t*, std::size_t)>& consume,
                               const std::function<bool()>& stop) {
  using Kind = FileReadError::Kind;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return {Kind::cannot_open, "cannot open " + escape_control_chars(path.string(), Tabs::escape) +
                                   ": " + std::strerror(errno)};
  }
  std::vector<std::uint8_t> buf(1 << 20);
  FileReadError error;
  while (!stop()) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = {Kind::read_failed, "read error on " +
                                      escape_control_chars(path.string(), Tabs::escape) + ": " +
                                      std::strerror(errno)};
      break;
    }
    if (n == 0) break;
    consume(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return error;
}

}  // namespace agent::mongo_format
