// Parsing on a thread of its own (ArchiveParsing::own_thread: inflate here, grammar and BSON
// checks on a second thread through a ring of buffers) gives the verdict of parsing on the
// caller's thread, for sound archives large enough to fill the ring and for broken ones.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/mongo_format/archive_validator.hpp"
#include "tests/fake_mongo/archive_writer.hpp"
#include "tests/fake_mongo/dataset.hpp"

namespace mf = agent::mongo_format;

namespace {

using Bytes = std::vector<std::uint8_t>;

mf::ArchiveVerdict validate(const Bytes& bytes, mf::ArchiveParsing parsing, std::size_t chunk,
                            const mf::ArchiveLimits& limits = {}) {
  mf::ArchiveValidator v(true, limits, parsing);
  for (std::size_t i = 0; i < bytes.size(); i += chunk) {
    v.feed(bytes.data() + i, std::min(chunk, bytes.size() - i));
  }
  return v.finish();
}

std::string describe(const mf::ArchiveVerdict& v) {
  std::string s = "valid=" + std::to_string(v.valid) +
                  " members=" + std::to_string(v.gzip_members) +
                  " archive_bytes=" + std::to_string(v.archive_bytes) +
                  " compressed=" + std::to_string(v.compressed_bytes) +
                  " cap=" + std::to_string(v.size_cap_exceeded) + "\n";
  for (const auto& e : v.errors) s += "error: " + e + "\n";
  for (const auto& n : v.namespaces) {
    s += "ns " + n.collection + " docs=" + std::to_string(n.documents) +
         " crc_ok=" + std::to_string(n.crc_ok) + " closed=" + std::to_string(n.closed) + "\n";
  }
  return s;
}

// Both ways, at several piece sizes: the same verdict.
void expect_same_verdict(const Bytes& bytes, const std::string& what,
                         const mf::ArchiveLimits& limits = {}) {
  for (std::size_t chunk : {4093ul, 65536ul, 1ul << 20}) {
    const auto here = validate(bytes, mf::ArchiveParsing::on_caller_thread, chunk, limits);
    const auto there = validate(bytes, mf::ArchiveParsing::own_thread, chunk, limits);
    EXPECT_EQ(describe(there), describe(here)) << what << ", pieces of " << chunk;
  }
}

fake_mongo::ArchiveOptions with(void (*set)(fake_mongo::ArchiveFaults&)) {
  fake_mongo::ArchiveOptions o;
  o.segment_bytes = 64 * 1024;
  set(o.faults);
  return o;
}

}  // namespace

TEST(ArchiveParsingThread, AcceptsALargeArchiveFillingTheRingManyTimes) {
  // About 24 MiB of BSON: the 8 MiB ring fills and drains several times over.
  const Bytes gz = fake_mongo::build_archive(fake_mongo::scaled_dataset(24u << 20));
  const auto v = validate(gz, mf::ArchiveParsing::own_thread, 1 << 20);
  ASSERT_TRUE(v.valid) << describe(v);
  EXPECT_GT(v.archive_bytes, 16u << 20);
  expect_same_verdict(gz, "sound large archive");
}

TEST(ArchiveParsingThread, GivesTheSameVerdictForEachArchiveFault) {
  const auto data = fake_mongo::default_dataset();
  expect_same_verdict(
      fake_mongo::build_archive(data, with([](auto& f) { f.bad_crc_ns = "smoker.temps"; })),
      "bad CRC");
  expect_same_verdict(
      fake_mongo::build_archive(data, with([](auto& f) { f.no_eof_ns = "smoker.temps"; })),
      "no EOF block");
  expect_same_verdict(
      fake_mongo::build_archive(data, with([](auto& f) { f.bad_bson_ns = "smoker.temps"; })),
      "bad BSON");
  expect_same_verdict(
      fake_mongo::build_archive(data, with([](auto& f) { f.unannounced_collection = "extra"; })),
      "unannounced collection");
  expect_same_verdict(
      fake_mongo::build_archive(data, with([](auto& f) { f.drop_final_terminator = true; })),
      "no final terminator");
}

TEST(ArchiveParsingThread, GivesTheSameVerdictForBrokenGzip) {
  const Bytes gz = fake_mongo::build_archive(fake_mongo::scaled_dataset(12u << 20));
  Bytes truncated(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2));
  expect_same_verdict(truncated, "truncated gzip");
  Bytes garbage = gz;
  garbage.insert(garbage.end(), {'x', 'y', 'z'});
  expect_same_verdict(garbage, "trailing garbage");
  Bytes two = gz;
  two.insert(two.end(), gz.begin(), gz.end());
  expect_same_verdict(two, "two members (the second repeats the archive: grammar fails)");
  for (std::size_t at : {gz.size() / 3, gz.size() / 2, gz.size() - 40}) {
    Bytes flipped = gz;
    flipped[at] ^= 0x5A;
    expect_same_verdict(flipped, "byte flipped at " + std::to_string(at));
  }
  mf::ArchiveLimits small;
  small.max_inflated_bytes = 5u << 20;
  expect_same_verdict(gz, "over the size cap", small);
}

// validate_archive_file reads a file and parses on its own thread (the re-check's path): its
// verdict is that of feeding the same bytes on the caller's thread in the file's 1 MiB pieces.
TEST(ArchiveParsingThread, AFileIsValidatedWithTheVerdictOfTheCallersThread) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("mf-parse-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const Bytes gz = fake_mongo::build_archive(fake_mongo::scaled_dataset(12u << 20));
  Bytes truncated(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2));
  Bytes flipped = gz;
  flipped[gz.size() / 2] ^= 0x5A;
  const Bytes bad_crc = fake_mongo::build_archive(
      fake_mongo::default_dataset(), with([](auto& f) { f.bad_crc_ns = "smoker.temps"; }));
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, Bytes>>{
           {"sound", gz}, {"truncated", truncated}, {"flipped", flipped}, {"bad-crc", bad_crc}}) {
    const fs::path file = dir / (name + ".archive.gz");
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    const auto from_file = mf::validate_archive_file(file);
    const auto here = validate(bytes, mf::ArchiveParsing::on_caller_thread, 1 << 20);
    EXPECT_EQ(describe(from_file), describe(here)) << name;
    EXPECT_EQ(from_file.valid, name == "sound") << describe(from_file);
  }
  fs::remove_all(dir);
}
