#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "agent/mongo_format/archive_limits.hpp"
#include "agent/mongo_format/archive_parser.hpp"
#include "agent/mongo_format/archive_validator.hpp"
#include "agent/mongo_format/archive_verdict.hpp"
#include "agent/mongo_format/buffer_ring.hpp"
#include "agent/mongo_format/gzip_inflater.hpp"

// Internal to mongo_format: the one pipeline every archive check runs through — gzip (every
// member) -> size cap -> archive grammar -> optional sink — so the validator, the re-check of
// a stored file and export give one verdict and one reason for one file.
namespace agent::mongo_format {

class ArchiveStream {
 public:
  // `parsing` (archive_validator.hpp): own_thread applies to gzip input without a sink; the
  // ring holds k_ring_slots x k_ring_slot_size inflated bytes.
  static constexpr std::size_t k_ring_slots = 8;
  static constexpr std::size_t k_ring_slot_size = 1 << 20;

  ArchiveStream(bool gzip, const ArchiveLimits& limits, ArchiveSink* sink = nullptr,
                ArchiveParsing parsing = ArchiveParsing::on_caller_thread);
  ~ArchiveStream();
  ArchiveStream(const ArchiveStream&) = delete;
  ArchiveStream& operator=(const ArchiveStream&) = delete;

  void feed(const std::uint8_t* data, std::size_t size);
  // True once the verdict is known to be invalid (further input is only counted).
  bool failed() const;
  // End of stream. Call once.
  ArchiveVerdict finish();

 private:
  void parse_from_ring();
  void stop_parse_thread();

  ArchiveLimits m_limits;
  ArchiveParser m_parser;
  // Own-thread parsing: the ring, the thread, and the parser's failure as the feeding thread
  // may read it (the parser itself belongs to the parse thread until it is joined).
  std::unique_ptr<BufferRing> m_ring;
  std::thread m_parse_thread;
  // The input piece (feed call) whose inflated bytes failed the grammar, and the first one
  // after which gzip had failed: on the caller's thread gzip is not fed past the piece that
  // failed the grammar, so a later gzip failure is not part of the verdict here either.
  std::atomic<bool> m_parse_failed{false};
  std::uint64_t m_parse_failed_piece = 0;  // parse thread, read after join
  std::uint64_t m_pieces = 0;
  std::optional<std::uint64_t> m_gzip_failed_piece;
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
