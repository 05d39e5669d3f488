// The validators against bytes real mongodump wrote (../shared/testdata/mongodump-real, read in
// place; skipped when that folder is absent).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "agent/mongo_format/archive_validator.hpp"
#include "agent/mongo_format/directory_dump.hpp"

namespace fs = std::filesystem;
namespace mf = agent::mongo_format;

namespace {

const fs::path k_real = SMOKERBAK_REAL_DUMPS_DIR;
const fs::path k_tools = k_real / "mongodb__mongo-tools/mongorestore/testdata";

std::string errors_of(const mf::ArchiveVerdict& v) {
  std::string s;
  for (const auto& e : v.errors) s += e + "\n";
  return s;
}

std::uint64_t docs(const mf::ArchiveVerdict& v, const std::string& db, const std::string& coll) {
  for (const auto& ns : v.namespaces) {
    if (ns.db == db && ns.collection == coll) return ns.documents;
  }
  ADD_FAILURE() << "namespace " << db << "." << coll << " missing";
  return 0;
}

std::vector<std::uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class RealDumps : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(k_real)) GTEST_SKIP() << k_real << " is absent";
  }
};

}  // namespace

TEST_F(RealDumps, GzipArchiveFromMongodump100_1IsValidWithItsCounts) {
  const auto v = mf::validate_archive_file(k_real / "uRuiz__Kenjo_Code_Challenge/dump.gz");
  ASSERT_TRUE(v.valid) << errors_of(v);
  EXPECT_EQ(v.tool_version, "100.1.0");
  EXPECT_EQ(v.server_version, "4.4.0");
  EXPECT_EQ(v.archive_bytes, 4719u);
  EXPECT_EQ(v.compressed_bytes, 1644u);
  EXPECT_EQ(docs(v, "kenjo-cd-collection", "artists"), 7u);
  EXPECT_EQ(docs(v, "kenjo-cd-collection", "albums"), 9u);
}

TEST_F(RealDumps, PlainArchivesAreValidIncludingOplogAndTimeSeries) {
  for (const char* name :
       {"test.bar.archive", "dump-w-oplog.archive", "timeseries_tests/dump.archive"}) {
    const auto v = mf::validate_archive_file(k_tools / name, false);
    EXPECT_TRUE(v.valid) << name << ":\n" << errors_of(v);
    EXPECT_FALSE(v.namespaces.empty()) << name;
    for (const auto& ns : v.namespaces) EXPECT_TRUE(ns.crc_ok) << name << " " << ns.collection;
  }
  const auto ts = mf::validate_archive_file(k_tools / "timeseries_tests/dump.archive", false);
  bool buckets = false;
  for (const auto& ns : ts.namespaces)
    buckets = buckets || ns.collection.rfind("system.buckets.", 0) == 0;
  EXPECT_TRUE(buckets) << "time-series data arrives under system.buckets.<coll>";
}

TEST_F(RealDumps, EveryFlippedByteOfARealArchiveIsCaughtOrHarmless) {
  // A flip inside a string value keeps the BSON valid but breaks the CRC; a flip in framing
  // breaks the grammar. Either way no flipped copy may validate.
  const auto original = read_file(k_tools / "test.bar.archive");
  ASSERT_FALSE(original.empty());
  // The header's and prelude's values (versions, metadata text) are covered by no checksum.
  std::size_t prelude_end = 4;
  while (prelude_end + 4 <= original.size()) {
    std::uint32_t len = 0;
    std::memcpy(&len, original.data() + prelude_end, 4);
    prelude_end += len == 0xFFFFFFFFu ? 4 : len;
    if (len == 0xFFFFFFFFu) break;
  }
  for (std::size_t i = 0; i < original.size(); ++i) {
    auto copy = original;
    copy[i] ^= 0x01;
    mf::ArchiveValidator val(false);
    val.feed(copy.data(), copy.size());
    const auto v = val.finish();
    if (v.valid) {
      EXPECT_LT(i, prelude_end) << "flip at " << i << " went unnoticed";
    }
  }
}

TEST_F(RealDumps, GzipDirectoryDumpFromMongodump100_12IsValid) {
  const auto v = mf::validate_directory_dump(k_real / "josmanperez__hybrid-vector-search/dump");
  ASSERT_TRUE(v.valid) << errors_of(v);
  EXPECT_EQ(v.tool_version, "100.12.2");
  EXPECT_EQ(v.server_version, "8.0.15");
  EXPECT_EQ(docs(v, "catalog", "products"), 1000u);
  EXPECT_EQ(docs(v, "admin", "system.version"), 1u);
}

TEST_F(RealDumps, PlainDirectoryDumpsAreValidWithEscapedAndHashedNames) {
  for (const char* name :
       {"collMod_ttl_index", "oplogdump", "specialcharacter", "longcollectionname"}) {
    const auto v = mf::validate_directory_dump(k_tools / name);
    EXPECT_TRUE(v.valid) << name << ":\n" << errors_of(v);
  }
  EXPECT_EQ(docs(mf::validate_directory_dump(k_tools / "collMod_ttl_index"), "mongodump_test_db",
                 "coll1"),
            10u);
  const auto special = mf::validate_directory_dump(k_tools / "specialcharacter");
  EXPECT_EQ(docs(special, "db1", "caf\xC3\xA9s"), docs(special, "db1", "caf\xC3\xA9s"));
  const auto longname = mf::validate_directory_dump(k_tools / "longcollectionname");
  ASSERT_EQ(longname.namespaces.size(), 1u);
  EXPECT_EQ(longname.namespaces[0].collection.size(), 247u);
}

TEST_F(RealDumps, ATruncatedCopyOfARealBsonFileIsRejected) {
  // docs/mongodump-format.md section 5: cut from 290 to 280 bytes, which libbson's file reader
  // reports as a clean end after 9 documents.
  const fs::path tmp = fs::temp_directory_path() / ("mf-trunc-" + std::to_string(::getpid()));
  fs::create_directories(tmp / "mongodump_test_db");
  auto bytes = read_file(k_tools / "collMod_ttl_index/mongodump_test_db/coll1.bson");
  ASSERT_EQ(bytes.size(), 290u);
  bytes.resize(280);
  std::ofstream(tmp / "mongodump_test_db/coll1.bson", std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  fs::copy_file(k_tools / "collMod_ttl_index/mongodump_test_db/coll1.metadata.json",
                tmp / "mongodump_test_db/coll1.metadata.json");
  const auto v = mf::validate_directory_dump(tmp);
  fs::remove_all(tmp);
  EXPECT_FALSE(v.valid);
  ASSERT_FALSE(v.errors.empty());
  EXPECT_NE(v.errors[0].find("truncated"), std::string::npos) << errors_of(v);
}
