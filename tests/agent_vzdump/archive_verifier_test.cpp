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
