// Re-verification of the vzdump archives the vzdump tier recorded under state_dir.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "agent/validate/vzdump_recheck.hpp"
#include "agent/vzdump/backup_record.hpp"
#include "tests/agent_validate/backup_fixture.hpp"

namespace {
using namespace validate_test;
namespace v = agent::validate;

// A plain ustar archive with one member holding `content`, then the end-of-archive marker.
std::vector<std::uint8_t> tar_with(const std::string& name, const std::string& content) {
  std::vector<std::uint8_t> out(512, 0);
  char* h = reinterpret_cast<char*>(out.data());
  std::snprintf(h, 100, "%s", name.c_str());
  std::snprintf(h + 100, 8, "%07o", 0644);
  std::snprintf(h + 108, 8, "%07o", 0);
  std::snprintf(h + 116, 8, "%07o", 0);
  std::snprintf(h + 124, 12, "%011o", static_cast<unsigned>(content.size()));
  std::snprintf(h + 136, 12, "%011o", 1700000000U);
  h[156] = '0';
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (std::size_t i = 0; i < 512; ++i) sum += out[i];
  std::snprintf(h + 148, 8, "%06o", sum);
  out.insert(out.end(), content.begin(), content.end());
  out.resize(out.size() + (512 - content.size() % 512) % 512 + 1024, 0);
  return out;
}

class VzdumpRecheck : public ::testing::Test {
 protected:
  // Writes an archive and the tier's record of it; returns the archive path.
  fs::path add_archive(const std::string& file_name, std::int64_t ctime) {
    const auto bytes = tar_with("etc/hostname", std::string(3000, 'h'));
    const fs::path file = m_dir.path() / "dump" / file_name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    agent::BackupRecord r;
    r.target = "prod-cloud";
    r.vmid = 106;
    r.volid = "local:backup/" + file_name;
    r.path = file.string();
    r.ctime = ctime;
    r.size = bytes.size();
    r.sha256 = sha256_of(bytes);
    r.verdict = agent::ArchiveVerdict::verified;
    r.compression = "none";
    EXPECT_TRUE(agent::write_backup_record(state(), r).has_value());
    return file;
  }
  fs::path state() const { return m_dir.path() / "state"; }
  TempDir m_dir;
};

TEST_F(VzdumpRecheck, RecordedArchivesVerifyOldestFirst) {
  add_archive("vzdump-lxc-106-2026_11_02-01_00_00.tar", 2000);
  add_archive("vzdump-lxc-106-2026_11_01-01_00_00.tar", 1000);
  const auto checks = v::check_vzdump_records(state(), "prod-cloud");
  ASSERT_EQ(checks.size(), 2U);
  EXPECT_EQ(checks[0].id, "vzdump-lxc-106-2026_11_01-01_00_00.tar");
  for (const auto& c : checks) {
    EXPECT_TRUE(c.valid) << joined(c.errors);
    EXPECT_EQ(c.tier, agent::TierName::vzdump);
    EXPECT_EQ(c.target, "prod-cloud");
  }
}

TEST_F(VzdumpRecheck, ChangedDataByteIsShaMismatchEvenWhenTheTarStillWalks) {
  const auto file = add_archive("vzdump-lxc-106-2026_11_01-01_00_00.tar", 1000);
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(600);  // inside the member's data, not a header
  f.put('X');
  f.close();
  const auto checks = v::check_vzdump_records(state(), "prod-cloud");
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_FALSE(checks[0].valid);
  ASSERT_EQ(checks[0].errors.size(), 1U) << joined(checks[0].errors);
  EXPECT_NE(checks[0].errors[0].find("bit rot or tampering"), std::string::npos);
}

TEST_F(VzdumpRecheck, TruncatedArchiveIsCorrupt) {
  const auto file = add_archive("vzdump-lxc-106-2026_11_01-01_00_00.tar", 1000);
  fs::resize_file(file, 1024);
  const auto checks = v::check_vzdump_records(state(), "prod-cloud");
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_FALSE(checks[0].valid);
  EXPECT_NE(joined(checks[0].errors).find("corrupt"), std::string::npos)
      << joined(checks[0].errors);
}

TEST_F(VzdumpRecheck, RecordedArchiveGoneFromDiskIsError) {
  const auto file = add_archive("vzdump-lxc-106-2026_11_01-01_00_00.tar", 1000);
  fs::remove(file);
  const auto checks = v::check_vzdump_records(state(), "prod-cloud");
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_FALSE(checks[0].valid);
  EXPECT_NE(joined(checks[0].errors).find("no longer on disk"), std::string::npos);
}

TEST_F(VzdumpRecheck, NoRecordsNoChecks) {
  EXPECT_TRUE(v::check_vzdump_records(state(), "prod-cloud").empty());
}

}  // namespace
