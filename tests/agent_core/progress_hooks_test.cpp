// The readers behind long re-reads report every byte they read, so progress lines built on
// their on_read hooks add up to the file size (agent/core/progress.hpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "agent/mongo/archive_check.hpp"
#include "agent/vzdump/archive_verifier.hpp"

namespace {

namespace fs = std::filesystem;

// 3.5 MiB of pseudo-random bytes: several 1 MiB read blocks and a short last one.
fs::path write_noise(const std::string& name) {
  const fs::path dir = fs::path(testing::TempDir()) / "progress_hooks";
  fs::create_directories(dir);
  const fs::path file = dir / name;
  std::mt19937 rng(7);
  std::vector<char> bytes(3 * 1024 * 1024 + 512 * 1024);
  for (auto& b : bytes) b = static_cast<char>(rng());
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<long>(bytes.size()));
  return file;
}

TEST(ProgressHooks, MongoArchiveRecheckReportsEveryByteRead) {
  const fs::path file = write_noise("noise.archive.gz");
  std::uint64_t seen = 0;
  unsigned calls = 0;
  const auto check = agent::mongo::check_stored_archive(file, [&](std::uint64_t n) {
    seen += n;
    ++calls;
  });
  EXPECT_FALSE(check.verdict.valid);  // noise is no archive; every byte is still read
  EXPECT_EQ(seen, fs::file_size(file));
  EXPECT_EQ(seen, check.bytes);
  EXPECT_GE(calls, 4U);
}

TEST(ProgressHooks, VzdumpArchiveVerificationReportsEveryByteRead) {
  const fs::path file = write_noise("vzdump-lxc-106-2026_11_26-01_00_02.tar.zst");
  std::uint64_t seen = 0;
  unsigned calls = 0;
  const auto check = agent::verify_archive(file, [&](std::uint64_t n) {
    seen += n;
    ++calls;
  });
  EXPECT_EQ(check.verdict, agent::ArchiveVerdict::corrupt);
  EXPECT_EQ(seen, fs::file_size(file));
  EXPECT_EQ(seen, check.file_bytes);
  EXPECT_GE(calls, 4U);
}

}  // namespace
