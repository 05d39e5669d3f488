#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "agent/mongo_format/archive_limits.hpp"
#include "agent/mongo_format/archive_verdict.hpp"
#include "agent/mongo_format/dump_log.hpp"

namespace agent::mongo_format {

// Where a gzip archive's grammar and BSON checks run: on the thread that feeds it, or on a
// thread of their own fed through a fixed ring of inflated buffers (8 x 1 MiB) while the
// feeding thread inflates (and reads, hashes) the next bytes. The verdict is the same; the
// second thread lets a re-check use two cores (bench/RESULTS.md). The dump pipeline uses it
// too: its validator worker then inflates while the checks run on the thread behind it.
enum class ArchiveParsing { on_caller_thread, own_thread };

// One-pass validator for `mongodump --archive --gzip` output (or plain `--archive` with
// gzip=false). Checks, as bytes arrive: every gzip member (mongodump writes one; several back
// to back are read as mongorestore does) with matching CRC32/ISIZE and nothing else after them;
// the inflated size against limits.max_inflated_bytes (stops at once when it passes, with the
// reason); the archive grammar (magic, header, prelude, blocks, terminators, each prelude
// namespace closed exactly once, nothing after the end); every name against MongoDB's naming
// rules ("not a mongodump archive" otherwise); every BSON document (an iterative walk with
// MongoDB's nesting limit, and our own framing so a truncated tail is caught); per-namespace
// CRC-64/XZ against the EOF block. After the first error further input is only counted, so
// feeding a broken stream stays cheap. Text in the verdict (errors, versions) is valid UTF-8
// without control characters, so it can be stored and printed as it is.
class ArchiveValidator {
 public:
  explicit ArchiveValidator(bool gzip = true);
  ArchiveValidator(bool gzip, const ArchiveLimits& limits,
                   ArchiveParsing parsing = ArchiveParsing::on_caller_thread);
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

// Validates an archive file on disk (re-check), parsing on a thread of its own. gzip and
// limits as for ArchiveValidator.
ArchiveVerdict validate_archive_file(const std::filesystem::path& path, bool gzip = true,
                                     const ArchiveLimits& limits = {});

}  // namespace agent::mongo_format
