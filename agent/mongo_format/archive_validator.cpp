#include "agent/mongo_format/archive_validator.hpp"

// Skeleton: the real implementation follows. Everything is reported invalid until then.
namespace agent::mongo_format {

struct ArchiveValidator::Impl {
  bool gzip = true;
  std::uint64_t fed = 0;
};

ArchiveValidator::ArchiveValidator(bool gzip) : m_impl(std::make_unique<Impl>()) {
  m_impl->gzip = gzip;
}
ArchiveValidator::~ArchiveValidator() = default;
ArchiveValidator::ArchiveValidator(ArchiveValidator&&) noexcept = default;
ArchiveValidator& ArchiveValidator::operator=(ArchiveValidator&&) noexcept = default;

void ArchiveValidator::feed(const std::uint8_t* /*data*/, std::size_t size) { m_impl->fed += size; }

ArchiveVerdict ArchiveValidator::finish() {
  ArchiveVerdict v;
  v.compressed_bytes = m_impl->fed;
  v.errors.push_back("archive validator not implemented yet");
  return v;
}

ArchiveVerdict validate_archive_file(const std::filesystem::path& /*path*/, bool gzip) {
  return ArchiveValidator(gzip).finish();
}

}  // namespace agent::mongo_format
