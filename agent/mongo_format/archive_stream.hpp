#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "agent/mongo_format/archive_limits.hpp"
#include "agent/mongo_format/archive_parser.hpp"
#include "agent/mongo_format/archive_verdict.hpp"
#include "agent/mongo_format/gzip_inflater.hpp"

// Internal to mongo_format: the one pipeline every archive check runs through — gzip (every
// member) -> size cap -> archive grammar -> optional sink — so the validator, the re-check of
// a stored file and export give one verdict and one reason for one file.
namespace agent::mongo_format {

class ArchiveStream {
 public:
  ArchiveStream(bool gzip, const ArchiveLimits& limits, ArchiveSink* sink = nullptr);
  ArchiveStream(const ArchiveStream&) = delete;
  ArchiveStream& operator=(const ArchiveStream&) = delete;

  void feed(const std::uint8_t* data, std::size_t size);
  // True once the verdict is known to be invalid (further input is only counted).
  bool failed() const;
  // End of stream. Call once.
  ArchiveVerdict finish();

 private:
  ArchiveLimits m_limits;
  ArchiveParser m_parser;
  std::optional<GzipInflater> m_gzip;
  std::uint64_t m_fed = 0, m_plain = 0;
  bool m_plain_over_cap = false;
};

// How reading a file ended: `none`, or the file could not be opened (nothing was read), or a
// read failed part way; `message` says which file and why.
struct FileReadError {
  enum class Kind { none, cannot_open, read_failed };
  Kind kind = Kind::none;
  std::string message;
  bool failed() const { return kind != Kind::none; }
};

// Reads `path` in 1 MiB pieces into `consume`, stopping early when `stop()` says so.
FileReadError read_file_pieces(const std::filesystem::path& path,
                               const std::function<void(const std::uint8_t*, std::size_t)>& consume,
                               const std::function<bool()>& stop);

}  // namespace agent::mongo_format
