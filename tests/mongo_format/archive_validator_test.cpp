// The streaming archive validator against generated archives, sound and broken.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "agent/mongo_format/archive_validator.hpp"
#include "agent/mongo_format/crc64.hpp"
#include "tests/fake_mongo/archive_reader.hpp"
#include "tests/fake_mongo/archive_writer.hpp"

namespace mf = agent::mongo_format;
using fake_mongo::ArchiveOptions;
using fake_mongo::build_archive;
using fake_mongo::default_dataset;

namespace {

using Bytes = std::vector<std::uint8_t>;

mf::ArchiveVerdict validate(const Bytes& bytes, bool gzip = true, std::size_t chunk = 65536) {
  mf::ArchiveValidator v(gzip);
  for (std::size_t i = 0; i < bytes.size(); i += chunk) {
    v.feed(bytes.data() + i, std::min(chunk, bytes.size() - i));
  }
  return v.finish();
}

std::string all_errors(const mf::ArchiveVerdict& v) {
  std::string s;
  for (const auto& e : v.errors) s += e + "\n";
  return s;
}

bool has_error(const mf::ArchiveVerdict& v, const std::string& needle) {
  return std::any_of(v.errors.begin(), v.errors.end(),
                     [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

const mf::NamespaceStats* find_ns(const mf::ArchiveVerdict& v, const std::string& coll) {
  for (const auto& ns : v.namespaces) {
    if (ns.collection == coll) return &ns;
  }
  return nullptr;
}

ArchiveOptions with_faults(void (*set)(fake_mongo::ArchiveFaults&)) {
  ArchiveOptions o;
  o.segment_bytes = 64 * 1024;  // several interleaved segments per collection
  set(o.faults);
  return o;
}

}  // namespace

TEST(Crc64, MatchesTheCrc64XzCheckValue) {
  const std::string s = "123456789";
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  EXPECT_EQ(mf::crc64_xz(0, p, s.size()), 0x995DC9BBDF1939FAull);
  EXPECT_EQ(fake_mongo::crc64_xz_reference(0, p, s.size()), 0x995DC9BBDF1939FAull);
}

TEST(Crc64, ChainsAcrossPieces) {
  Bytes data(100000);
  std::mt19937 rng(7);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  const std::uint64_t whole = mf::crc64_xz(0, data.data(), data.size());
  std::uint64_t parts = mf::crc64_xz(0, data.data(), 333);
  parts = mf::crc64_xz(parts, data.data() + 333, data.size() - 333);
  EXPECT_EQ(parts, whole);
  EXPECT_EQ(fake_mongo::crc64_xz_reference(0, data.data(), data.size()), whole);
}

TEST(ArchiveValidator, AcceptsAGeneratedGzipArchiveAndCountsEveryNamespace) {
  ArchiveOptions o;
  o.segment_bytes = 64 * 1024;
  const auto v = validate(build_archive(default_dataset(), o));
  ASSERT_TRUE(v.valid) << all_errors(v);
  EXPECT_EQ(v.tool_version, "100.9.4");
  EXPECT_EQ(v.server_version, "7.0.14");
  ASSERT_EQ(v.namespaces.size(), 5u);
  ASSERT_NE(find_ns(v, "temps"), nullptr);
  EXPECT_EQ(find_ns(v, "temps")->documents, 4000u);
  EXPECT_TRUE(find_ns(v, "temps")->crc_ok);
  EXPECT_EQ(find_ns(v, "presets")->documents, 0u);
  EXPECT_TRUE(find_ns(v, "presets")->closed);
  EXPECT_EQ(v.total_documents(), 25u + 120u + 4000u + 300u);
}

TEST(ArchiveValidator, GivesTheSameVerdictWhateverTheChunkSizes) {
  const Bytes gz = build_archive(default_dataset());
  const auto big = validate(gz, true, 1 << 20);
  ASSERT_TRUE(big.valid) << all_errors(big);
  for (std::size_t chunk : {1ul, 3ul, 4ul, 5ul, 4093ul}) {
    const auto v = validate(gz, true, chunk);
    EXPECT_TRUE(v.valid) << "chunk " << chunk << ": " << all_errors(v);
    EXPECT_EQ(v.archive_bytes, big.archive_bytes);
    EXPECT_EQ(v.total_documents(), big.total_documents());
  }
  const Bytes plain = build_archive(default_dataset(), {}, false);
  for (std::size_t chunk : {1ul, 7ul, 65536ul}) {
    const auto v = validate(plain, false, chunk);
    EXPECT_TRUE(v.valid) << "plain chunk " << chunk << ": " << all_errors(v);
    EXPECT_EQ(v.archive_bytes, plain.size());
  }
}

TEST(ArchiveValidator, RejectsAStreamThatIsNotAnArchive) {
  Bytes plain = build_archive(default_dataset(), {}, false);
  plain[0] ^= 0xFF;
  const auto v = validate(fake_mongo::gzip_bytes(plain));
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "bad magic")) << all_errors(v);
}

TEST(ArchiveValidator, RejectsAnEmptyStream) {
  EXPECT_FALSE(validate({}, true).valid);
  EXPECT_FALSE(validate({}, false).valid);
}

TEST(ArchiveValidator, RejectsACrcMismatchAndNamesTheNamespace) {
  const auto v = validate(build_archive(
      default_dataset(), with_faults([](auto& f) { f.bad_crc_ns = "smoker.notifications"; })));
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "CRC mismatch for namespace smoker.notifications")) << all_errors(v);
  EXPECT_FALSE(v.size_cap_exceeded);
}

TEST(ArchiveValidator, RejectsAnInvalidBsonDocumentWithItsOffset) {
  const auto v = validate(build_archive(
      default_dataset(), with_faults([](auto& f) { f.bad_bson_ns = "smoker.temps"; })));
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "smoker.temps")) << all_errors(v);
  EXPECT_TRUE(has_error(v, "archive offset")) << all_errors(v);
}

TEST(ArchiveValidator, RejectsANamespaceWithoutEofBlock) {
  const auto v = validate(
      build_archive(default_dataset(), with_faults([](auto& f) { f.no_eof_ns = "smoker.users"; })));
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "unfinished")) << all_errors(v);
  EXPECT_TRUE(has_error(v, "smoker.users")) << all_errors(v);
}

TEST(ArchiveValidator, RejectsANamespaceMissingFromThePrelude) {
  const auto v = validate(build_archive(
      default_dataset(), with_faults([](auto& f) { f.unannounced_collection = "sneaky"; })));
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "smoker.sneaky")) << all_errors(v);
}

TEST(ArchiveValidator, RejectsAMissingFinalTerminator) {
  const auto v = validate(build_archive(
      default_dataset(), with_faults([](auto& f) { f.drop_final_terminator = true; })));
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "truncated")) << all_errors(v);
}

TEST(ArchiveValidator, RejectsAPlainArchiveCutInsideADocument) {
  Bytes plain = build_archive(default_dataset(), {}, false);
  plain.resize(plain.size() / 2);
  const auto v = validate(plain, false);
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "truncated")) << all_errors(v);
}

TEST(ArchiveValidator, ACutArchiveAlsoNamesTheNamespacesItLeftUnfinished) {
  Bytes plain = build_archive(default_dataset(), {}, false);
  plain.resize(plain.size() / 2);
  const auto v = validate(plain, false);
  ASSERT_FALSE(v.errors.empty());
  EXPECT_NE(v.errors.front().find("truncated"), std::string::npos) << all_errors(v);
  EXPECT_TRUE(has_error(v, "namespaces were unfinished")) << all_errors(v);
}

TEST(ArchiveValidator, AGrammarErrorIsNotFollowedByUnfinishedNamespaceNoise) {
  const auto v = validate(build_archive(
      default_dataset(), with_faults([](auto& f) { f.bad_bson_ns = "smoker.temps"; })));
  EXPECT_FALSE(v.valid);
  EXPECT_FALSE(has_error(v, "namespaces were unfinished")) << all_errors(v);
  EXPECT_FALSE(has_error(v, "before all collections were seen")) << all_errors(v);
}

TEST(ArchiveValidator, RejectsATruncatedGzipStream) {
  Bytes gz = build_archive(default_dataset());
  gz.resize(gz.size() - 1000);
  const auto v = validate(gz);
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "gzip stream truncated")) << all_errors(v);
}

TEST(ArchiveValidator, RejectsAGzipCrc32OrIsizeMismatch) {
  for (std::size_t from_end : {8u, 4u, 1u}) {
    Bytes gz = build_archive(default_dataset());
    gz[gz.size() - from_end] ^= 0x01;  // CRC32 is bytes -8..-5, ISIZE -4..-1
    const auto v = validate(gz);
    EXPECT_FALSE(v.valid) << "byte -" << from_end;
    EXPECT_TRUE(has_error(v, "gzip")) << all_errors(v);
  }
}

TEST(ArchiveValidator, RejectsAFlippedBitInTheCompressedData) {
  Bytes gz = build_archive(default_dataset());
  gz[gz.size() / 2] ^= 0x10;
  EXPECT_FALSE(validate(gz).valid);
}

TEST(ArchiveValidator, RejectsTrailingGarbageAfterTheLastGzipMember) {
  const Bytes gz = build_archive(default_dataset());
  Bytes garbage = gz;
  garbage.push_back(0x00);
  auto v = validate(garbage);
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "is not another gzip member (trailing garbage")) << all_errors(v);
  EXPECT_EQ(v.errors.size(), 1u) << all_errors(v);  // the archive itself was complete
}

TEST(ArchiveValidator, ASecondMemberAfterACompleteArchiveIsDataAfterTheLastBlock) {
  // Read as one stream (as mongorestore reads it), the second member's bytes follow the
  // archive's end: the archive grammar rejects them, not the gzip layer.
  Bytes two = build_archive(default_dataset());
  const Bytes second = fake_mongo::gzip_bytes({1, 2, 3, 4, 5, 6, 7, 8});
  two.insert(two.end(), second.begin(), second.end());
  const auto v = validate(two, true, 1 << 20);
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.gzip_members, 2u);
  EXPECT_TRUE(has_error(v, "neither a BSON length")) << all_errors(v);
}

TEST(ArchiveValidator, RejectsPlainBytesAfterTheLastBlock) {
  Bytes plain = build_archive(default_dataset(), {}, false);
  plain.insert(plain.end(), {0xFF, 0xFF, 0xFF, 0xFF});
  const auto v = validate(plain, false);
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(has_error(v, "consecutive terminators")) << all_errors(v);
}

TEST(ArchiveValidator, AgreesWithTheIndependentReaderOnCounts) {
  const Bytes plain = build_archive(fake_mongo::scaled_dataset(2 << 20), {}, false);
  const auto reader = fake_mongo::read_archive(plain);
  ASSERT_EQ(reader.error, "");
  const auto v = validate(plain, false);
  ASSERT_TRUE(v.valid) << all_errors(v);
  for (const auto& ns : v.namespaces) {
    EXPECT_EQ(ns.documents, reader.documents.at(ns.db + "." + ns.collection)) << ns.collection;
  }
}

TEST(ArchiveValidatorFile, ValidatesAnArchiveFileAndReportsAMissingOne) {
  const auto missing = mf::validate_archive_file("/nonexistent/backup.archive.gz");
  EXPECT_FALSE(missing.valid);
  EXPECT_TRUE(has_error(missing, "/nonexistent/backup.archive.gz"));
  // Only that: a file never opened is not also judged as an empty archive.
  ASSERT_EQ(missing.errors.size(), 1u) << all_errors(missing);
  EXPECT_EQ(missing.errors.front().rfind("cannot open", 0), 0u) << all_errors(missing);
}
