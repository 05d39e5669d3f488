#include "agent/mongo_format/archive_validator.hpp"

#include <fstream>
#include <optional>
#include <vector>

#include "agent/mongo_format/archive_parser.hpp"
#include "agent/mongo_format/gzip_inflater.hpp"

namespace agent::mongo_format {

struct ArchiveValidator::Impl {
  ArchiveParser parser;
  std::optional<GzipInflater> gzip;
  std::uint64_t fed = 0;

  explicit Impl(bool use_gzip) {
    if (use_gzip) {
      gzip.emplace([this](const std::uint8_t* p, std::size_t n) { parser.consume(p, n); });
    }
  }
};

ArchiveValidator::ArchiveValidator(bool gzip) : m_impl(std::make_unique<Impl>(gzip)) {}
ArchiveValidator::~ArchiveValidator() = default;
ArchiveValidator::ArchiveValidator(ArchiveValidator&&) noexcept = default;
ArchiveValidator& ArchiveValidator::operator=(ArchiveValidator&&) noexcept = default;

void ArchiveValidator::feed(const std::uint8_t* data, std::size_t size) {
  Impl& im = *m_impl;
  im.fed += size;
  if (im.parser.failed()) return;  // stay cheap once the verdict is known
  if (im.gzip) {
    if (!im.gzip->failed()) im.gzip->feed(data, size);
  } else {
    im.parser.consume(data, size);
  }
}

ArchiveVerdict ArchiveValidator::finish() {
  Impl& im = *m_impl;
  ArchiveVerdict v;
  v.compressed_bytes = im.fed;
  if (im.gzip) {
    im.gzip->finish();
    // A gzip failure explains any archive-level truncation that follows from it, so it comes
    // first; the archive checks still run on what was inflated.
    if (im.gzip->failed()) v.errors.push_back("gzip: " + im.gzip->error());
  }
  im.parser.finish(v);
  v.valid = v.errors.empty();
  return v;
}

ArchiveVerdict validate_archive_file(const std::filesystem::path& path, bool gzip) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ArchiveVerdict v;
    v.errors.push_back("cannot open " + path.string());
    return v;
  }
  ArchiveValidator validator(gzip);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    validator.feed(reinterpret_cast<const std::uint8_t*>(buf.data()), got);
  }
  ArchiveVerdict v = validator.finish();
  if (in.bad()) {
    v.errors.push_back("read error on " + path.string());
    v.valid = false;
  }
  return v;
}

}  // namespace agent::mongo_format
