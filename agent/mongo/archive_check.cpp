#include "agent/mongo/archive_check.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "agent/mongo/sha256.hpp"
#include "agent/mongo_format/archive_validator.hpp"

namespace agent::mongo {

ArchiveCheck check_stored_archive(const std::filesystem::path& file,
                                  const std::function<void(std::uint64_t bytes)>& on_read,
                                  const mongo_format::ArchiveLimits& limits) {
  ArchiveCheck out;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.read_error = "cannot open " + file.string() + ": " + std::strerror(errno);
    return out;
  }
  Sha256 sha;
  // Read + SHA-256 + inflate here, the archive checks on a second thread (bench/RESULTS.md).
  mongo_format::ArchiveValidator validator(true, limits, mongo_format::ArchiveParsing::own_thread);
  std::vector<std::uint8_t> buf(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      out.read_error = "cannot read " + file.string() + ": " + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    sha.update(buf.data(), static_cast<std::size_t>(n));
    validator.feed(buf.data(), static_cast<std::size_t>(n));
    out.bytes += static_cast<std::uint64_t>(n);
    if (on_read) on_read(static_cast<std::uint64_t>(n));
  }
  ::close(fd);
  out.sha256 = sha.finish_hex();
  out.verdict = validator.finish();
  return out;
}

}  // namespace agent::mongo
