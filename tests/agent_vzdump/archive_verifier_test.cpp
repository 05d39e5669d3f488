#include <gtest/gtest.h>

#include <openssl/sha.h>

#include <unistd.h>
#include <filesystem>

#include "agent/vzdump/archive_verifier.hpp"
#include "tests/agent_vzdump/tar_fixture.hpp"

namespace agent {
namespace {

using namespace agent::testing;

class ArchiveVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("vzdump-verify-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
    tar = tar_of({{"etc/hostname", "smoker\n"},
                  {"var/lib/big.bin", payload(300000, 1)},
                  {"var/lib/small", payload(700, 2)}});
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::filesystem::path dir;
  std::string tar;
};

TEST_F(ArchiveVerifierTest, IntactZstdArchiveIsVerifiedWithEntryCountAndFileHash) {
  const auto path = dir / "vzdump-lxc-106-2025_01_31-02_00_03.tar.zst";
  const std::string compressed = zstd_of(tar);
  write_file(path, compressed);
  const auto check = verify_archive(path);
  EXPECT_EQ(check.verdict, ArchiveVerdict::verified) << check.problem;
  EXPECT_EQ(check.tar_entries, 3u);
  EXPECT_EQ(check.tar_bytes, tar.size());
  EXPECT_EQ(check.file_bytes, compressed.size());
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(compressed.data()), compressed.size(), md);
  char hex[65];
  for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
  EXPECT_EQ(check.sha256, std::string(hex, 64));
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  char hex[65];
  for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
  return std::string(hex, 64);
}

// Many read pieces (the file is read and hashed on a second thread through a ring of 4 x
// 1 MiB): every byte hashed once, in order, every piece decoded, progress adding up.
TEST_F(ArchiveVerifierTest, ArchiveOfManyMegabytesIsHashedAndWalkedWhole) {
  const auto path = dir / "vzdump-lxc-106-2025_01_31-02_00_03.tar.zst";
  std::vector<std::pair<std::string, std::string>> members;
  for (unsigned i = 0; i < 20; ++i)
    members.emplace_back("f" + std::to_string(i), payload(1 << 20, i));
  const std::string big_tar = tar_of(members);
  const std::string compressed = zstd_of(big_tar);
  ASSERT_GT(compressed.size(), 5u << 20);  // more pieces than the ring has slots
  write_file(path, compressed);
  std::uint64_t reported = 0;
  const auto check = verify_archive(path, [&](std::uint64_t n) { reported += n; });
  EXPECT_EQ(check.verdict, ArchiveVerdict::verified) << check.problem;
  EXPECT_EQ(check.tar_entries, 20u);
  EXPECT_EQ(check.tar_bytes, big_tar.size());
  EXPECT_EQ(check.file_bytes, compressed.size());
  EXPECT_EQ(reported, compressed.size());
  EXPECT_EQ(check.sha256, sha256_hex(compressed));
  // Damage near the end of the file is still found.
  std::string damaged = compressed;
  damaged[damaged.size() - 100] ^= 0x10;
  write_file(path, damaged);
  EXPECT_EQ(verify_archive(path).verdict, ArchiveVerdict::corrupt);
}

TEST_F(ArchiveVerifierTest, TruncatedZstdArchiveIsCorrupt) {
  const auto path = dir / "a.tar.zst";
  const std::string compressed = zstd_of(tar);
  write_file(path, compressed.substr(0, compressed.size() / 2));
  const auto check = verify_archive(path);
  EXPECT_EQ(check.verdict, ArchiveVerdict::corrupt);
  EXPECT_NE(check.problem.find("truncated"), std::string::npos) << check.problem;
}

TEST_F(ArchiveVerifierTest, FlippedBitInZstdArchiveIsCorrupt) {
  const auto path = dir / "a.tar.zst";
  std::string compressed = zstd_of(tar);
  compressed[compressed.size() / 2] ^= 0x10;
  write_file(path, compressed);
  EXPECT_EQ(verify_archive(path).verdict, ArchiveVerdict::corrupt);
}

TEST_F(ArchiveVerifierTest, CompleteCompressionOfATarWithoutEndMarkerIsCorrupt) {
  const auto path = dir / "a.tar.zst";
  write_file(path, zstd_of(tar_of({{"x", payload(2000, 3)}}, /*end_marker=*/false)));
  const auto check = verify_archive(path);
  EXPECT_EQ(check.verdict, ArchiveVerdict::corrupt);
  EXPECT_NE(check.problem.find("end-of-archive"), std::string::npos) << check.problem;
}

TEST_F(ArchiveVerifierTest, DamagedTarHeaderFailsItsChecksum) {
  std::string bad = tar;
  bad[10] ^= 0x01;  // inside the first header's name field
  const auto path = dir / "a.tar.zst";
  write_file(path, zstd_of(bad));
  const auto check = verify_archive(path);
  EXPECT_EQ(check.verdict, ArchiveVerdict::corrupt);
  EXPECT_NE(check.problem.find("checksum"), std::string::npos) << check.problem;
}

TEST_F(ArchiveVerifierTest, GzipArchiveIsVerifiedAndItsTruncationDetected) {
  const auto good = dir / "a.tar.gz";
  write_gzip(good, tar);
  EXPECT_EQ(verify_archive(good).verdict, ArchiveVerdict::verified) << verify_archive(good).problem;
  std::ifstream in(good, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const auto cut = dir / "b.tar.gz";
  write_file(cut, bytes.substr(0, bytes.size() - 100));
  EXPECT_EQ(verify_archive(cut).verdict, ArchiveVerdict::corrupt);
}

TEST_F(ArchiveVerifierTest, UncompressedTarIsWalkedToo) {
  const auto path = dir / "a.tar";
  write_file(path, tar);
  EXPECT_EQ(verify_archive(path).verdict, ArchiveVerdict::verified);
  write_file(path, tar.substr(0, 1000));
  EXPECT_EQ(verify_archive(path).verdict, ArchiveVerdict::corrupt);
}

TEST_F(ArchiveVerifierTest, MissingFileIsUnreadableAndLzoUnsupported) {
  const auto missing = verify_archive(dir / "nope.tar.zst");
  EXPECT_EQ(missing.verdict, ArchiveVerdict::unreadable);
  EXPECT_NE(missing.problem.find("nope.tar.zst"), std::string::npos);
  write_file(dir / "a.tar.lzo", "x");
  EXPECT_EQ(verify_archive(dir / "a.tar.lzo").verdict, ArchiveVerdict::unsupported);
}

}  // namespace
}  // namespace agent
