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

ArchiveStream::ArchiveStream(bool gzip, const ArchiveLimits& limits, ArchiveSink* sink)
    : m_limits(limits), m_parser(sink, limits) {
  if (gzip) {
    m_gzip.emplace([this](const std::uint8_t* p, std::size_t n) { m_parser.consume(p, n); });
    m_gzip->set_output_limit(limits.max_inflated_bytes);
  }
}

bool ArchiveStream::failed() const {
  return m_parser.failed() || m_plain_over_cap || (m_gzip && m_gzip->failed());
}

void ArchiveStream::feed(const std::uint8_t* data, std::size_t size) {
  m_fed += size;
  if (failed()) return;  // stay cheap once the verdict is known
  if (m_gzip) {
    m_gzip->feed(data, size);
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
  // Input stops being inflated once the archive grammar failed: the gzip stream's own end is
  // then unknown, and its "truncated" would hide the real reason.
  const bool grammar_failed = m_parser.failed();
  ArchiveVerdict v;
  m_parser.finish(v);
  v.compressed_bytes = m_fed;
  // A gzip failure or the size cap explains any archive-level truncation that follows from it,
  // so it comes first; the archive checks still ran on what was inflated.
  std::string first;
  if (m_gzip) {
    if (!grammar_failed) m_gzip->finish();
    v.gzip_members = m_gzip->members();
    if (m_gzip->limit_exceeded()) {
      first = cap_reason(m_limits.max_inflated_bytes, m_gzip->compressed_bytes(), true);
    } else if (m_gzip->failed()) {
      first = "gzip: " + m_gzip->error();
    }
  } else if (m_plain_over_cap) {
    first = cap_reason(m_limits.max_inflated_bytes, m_plain, false);
  }
  if (!first.empty()) {
    v.size_cap_exceeded = m_plain_over_cap || (m_gzip && m_gzip->limit_exceeded());
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
