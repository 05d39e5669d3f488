#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "agent/mongo_format/archive_verdict.hpp"
#include "agent/mongo_format/dump_log.hpp"

namespace agent::mongo_format {

// One-pass validator for `mongodump --archive --gzip` output (or plain `--archive` with
// gzip=false). Checks, as bytes arrive: a single gzip member with matching CRC32/ISIZE and no
// trailing bytes; the archive grammar (magic, header, prelude, blocks, terminators, each prelude
// namespace closed exactly once, nothing after the end); every BSON document (libbson, with our
// own framing so a truncated tail is caught); per-namespace CRC-64/XZ against the EOF block.
// After the first error further input is only counted, so feeding a broken stream stays cheap.
class ArchiveValidator {
 public:
  explicit ArchiveValidator(bool gzip = true);
  ~ArchiveValidator();
  ArchiveValidator(ArchiveValidator&&) noexcept;
  ArchiveValidator& operator=(ArchiveValidator&&) noexcept;
  ArchiveValidator(const ArchiveValidator&) = delete;
  ArchiveValidator& operator=(const ArchiveValidator&) = delete;

  // Call with each chunk as it arrives, in order; any chunk size works.
  void feed(const std::uint8_t* data, std::size_t size);
  // End of stream: completeness checks. Call once; the validator is spent afterwards.
  ArchiveVerdict finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Validates an archive file on disk (re-check). gzip as for ArchiveValidator.
ArchiveVerdict validate_archive_file(const std::filesystem::path& path, bool gzip = true);

}  // namespace agent::mongo_format
