#include "agent/mongo_format/archive_validator.hpp"

#include "agent/mongo_format/archive_stream.hpp"

namespace agent::mongo_format {

struct ArchiveValidator::Impl {
  ArchiveStream stream;
  Impl(bool gzip, const ArchiveLimits& limits, ArchiveParsing parsing)
      : stream(gzip, limits, nullptr, parsing) {}
};

ArchiveValidator::ArchiveValidator(bool gzip) : ArchiveValidator(gzip, ArchiveLimits{}) {}
ArchiveValidator::ArchiveValidator(bool gzip, const ArchiveLimits& limits, ArchiveParsing parsing)
    : m_impl(std::make_unique<Impl>(gzip, limits, parsing)) {}
ArchiveValidator::~ArchiveValidator() = default;
ArchiveValidator::ArchiveValidator(ArchiveValidator&&) noexcept = default;
ArchiveValidator& ArchiveValidator::operator=(ArchiveValidator&&) noexcept = default;

void ArchiveValidator::feed(const std::uint8_t* data, std::size_t size) {
  m_impl->stream.feed(data, size);
}

ArchiveVerdict ArchiveValidator::finish() { return m_impl->stream.finish(); }

ArchiveVerdict validate_archive_file(const std::filesystem::path& path, bool gzip,
                                     const ArchiveLimits& limits) {
  // Parsing on its own thread, as the header says: the caller's thread only reads and inflates
  // (what `igzip -t` does), the grammar, BSON walk and CRC-64 run behind it (bench/RESULTS.md).
  ArchiveStream stream(gzip, limits, nullptr, ArchiveParsing::own_thread);
  // The whole file is read even after a failure: compressed_bytes is then the file's size.
  const FileReadError error = read_file_pieces(
      path, [&](const std::uint8_t* p, std::size_t n) { stream.feed(p, n); }, [] { return false; });
  if (error.kind == FileReadError::Kind::cannot_open) {
    ArchiveVerdict v;
    v.errors.push_back(error.message);
    return v;
  }
  ArchiveVerdict v = stream.finish();
  if (error.failed()) {
    v.errors.push_back(error.message);
    v.valid = false;
  }
  return v;
}

}  // namespace agent::mongo_format
