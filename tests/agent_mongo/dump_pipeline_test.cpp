#include "agent/mongo/dump_pipeline.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "agent/mongo/sha256.hpp"
#include "tests/fake_mongo/archive_writer.hpp"
#include "tests/fake_mongo/dataset.hpp"

namespace {
namespace fs = std::filesystem;

// A real `mongodump --archive --gzip` output (mongodump 100.1.0, server 4.4.0).
const fs::path k_real_dump =
    fs::path(SMOKERBAK_SOURCE_DIR) /
    "../shared/testdata/mongodump-real/uRuiz__Kenjo_Code_Challenge/dump.gz";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string sha256_of(const std::string& s) {
  agent::mongo::Sha256 h;
  h.update(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  return h.finish_hex();
}

class DumpPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(k_real_dump)) GTEST_SKIP() << "../shared testdata absent";
    m_bytes = slurp(k_real_dump);
    m_out = fs::temp_directory_path() /
            ("smokerbak-pipe-" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".gz");
  }
  void TearDown() override { fs::remove(m_out); }

  agent::mongo::DumpPipeline::Result feed(const std::string& bytes, std::size_t chunk) {
    agent::mongo::DumpPipeline pipe(m_out);
    for (std::size_t off = 0; off < bytes.size(); off += chunk) {
      const auto n = std::min(chunk, bytes.size() - off);
      EXPECT_TRUE(pipe.push(reinterpret_cast<const std::uint8_t*>(bytes.data()) + off, n));
    }
    return pipe.finish();
  }

  std::string m_bytes;
  fs::path m_out;
};

TEST(Sha256, MatchesKnownVector) {
  EXPECT_EQ(sha256_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(DumpPipelineTest, WritesBytesExactlyHashesAndValidatesRealDump) {
  const auto r = feed(m_bytes, 7919);  // odd chunk size: every boundary case of the queue
  EXPECT_FALSE(r.write_error);
  EXPECT_EQ(r.bytes, m_bytes.size());
  EXPECT_EQ(slurp(m_out), m_bytes);
  EXPECT_EQ(r.sha256, sha256_of(m_bytes));
  EXPECT_TRUE(r.verdict.valid) << (r.verdict.errors.empty() ? "" : r.verdict.errors.front());
  EXPECT_EQ(r.verdict.tool_version, "100.1.0");
}

TEST_F(DumpPipelineTest, StreamLargerThanTheChunkPoolIsWrittenHashedAndValidated) {
  // A valid archive of more than k_chunks chunks (gzip level 0 keeps it big and quick to
  // make), so the network side must wait for the validator and chunks are recycled.
  auto spec = fake_mongo::scaled_dataset(14 << 20);
  const auto archive = fake_mongo::build_archive(spec, {}, true, 0);
  ASSERT_GT(archive.size(),
            agent::mongo::DumpPipeline::k_chunk_size * (agent::mongo::DumpPipeline::k_chunks + 2));
  const std::string big(archive.begin(), archive.end());
  const auto r = feed(big, 32768);
  EXPECT_FALSE(r.write_error);
  EXPECT_EQ(r.bytes, big.size());
  EXPECT_EQ(r.sha256, sha256_of(big));
  EXPECT_EQ(slurp(m_out), big);
  EXPECT_TRUE(r.verdict.valid) << (r.verdict.errors.empty() ? "" : r.verdict.errors.front());
  EXPECT_EQ(r.verdict.total_documents(), [&] {
    std::uint64_t n = 0;
    for (const auto& c : spec.collections) n += c.documents;
    return n;
  }());
}

TEST_F(DumpPipelineTest, WithoutValidationStillWritesAndHashesEverything) {
  std::string big;
  while (big.size() < agent::mongo::DumpPipeline::k_writeback_bytes * 2 + 12345) big += m_bytes;
  agent::mongo::DumpPipeline pipe(m_out, false);
  for (std::size_t off = 0; off < big.size(); off += 32768) {
    const auto n = std::min<std::size_t>(32768, big.size() - off);
    ASSERT_TRUE(pipe.push(reinterpret_cast<const std::uint8_t*>(big.data()) + off, n));
  }
  const auto r = pipe.finish();
  EXPECT_FALSE(r.write_error);
  EXPECT_EQ(r.bytes, big.size());
  EXPECT_EQ(r.sha256, sha256_of(big));
  EXPECT_EQ(slurp(m_out), big);
}

TEST_F(DumpPipelineTest, TruncatedDumpIsInvalid) {
  const auto r = feed(m_bytes.substr(0, m_bytes.size() - 100), 4096);
  EXPECT_FALSE(r.verdict.valid);
}

TEST_F(DumpPipelineTest, UnwritableTargetReportsWriteError) {
  agent::mongo::DumpPipeline pipe("/nonexistent-dir/x.gz");
  EXPECT_FALSE(pipe.push(reinterpret_cast<const std::uint8_t*>("x"), 1));
  EXPECT_TRUE(pipe.finish().write_error.has_value());
}

}  // namespace

// The file is written with O_DIRECT where the file system allows it (the temp dir here, ext4
// on the project machine) and through the page cache where it refuses (tmpfs): byte-exact
// either way, for sizes that end mid-block and on a 4 KiB boundary.
TEST_F(DumpPipelineTest, WritesByteExactWithAndWithoutODirect) {
  std::vector<fs::path> targets = {m_out};
  const fs::path shm = fs::path("/dev/shm") / ("dump-pipeline-" + std::to_string(::getpid()));
  if (fs::is_directory("/dev/shm")) targets.push_back(shm);
  for (const std::size_t size : {std::size_t{4096} * 700, std::size_t{5} * (1 << 20) + 17}) {
    std::string big;
    while (big.size() < size) big += m_bytes;
    big.resize(size);
    for (const auto& target : targets) {
      agent::mongo::DumpPipeline pipe(target, false);
      for (std::size_t off = 0; off < big.size(); off += 32000) {
        const auto n = std::min<std::size_t>(32000, big.size() - off);
        ASSERT_TRUE(pipe.push(reinterpret_cast<const std::uint8_t*>(big.data()) + off, n));
      }
      const auto r = pipe.finish();
      EXPECT_FALSE(r.write_error) << target;
      EXPECT_EQ(r.sha256, sha256_of(big)) << target;
      EXPECT_EQ(slurp(target), big) << target << ", " << size << " bytes";
      fs::remove(target);
    }
  }
}
