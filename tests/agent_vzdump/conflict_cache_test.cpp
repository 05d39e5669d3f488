#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/vzdump/backup_record.hpp"
#include "agent/vzdump/conflict_cache.hpp"
#include "tests/agent_config/test_files.hpp"

namespace agent {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t k_t = 1767229200;

class ConflictCacheTest : public ::testing::Test {
 protected:
  TempDir temp;
  const fs::path& dir = temp.path();
};

TEST_F(ConflictCacheTest, ACleanCheckHoldsForOneWeekOnTheSameStorage) {
  EXPECT_FALSE(conflict_check_still_clean(dir, "t", "local", k_t));
  remember_clean_conflict_check(dir, "t", "local", k_t);
  EXPECT_TRUE(conflict_check_still_clean(dir, "t", "local", k_t));
  EXPECT_TRUE(conflict_check_still_clean(dir, "t", "local", k_t + k_conflict_recheck_s - 1));
  EXPECT_FALSE(conflict_check_still_clean(dir, "t", "local", k_t + k_conflict_recheck_s));
  EXPECT_FALSE(conflict_check_still_clean(dir, "t", "backup-nfs", k_t + 1));  // storage changed
  EXPECT_FALSE(conflict_check_still_clean(dir, "t", "local", k_t - 1));       // clock went back
  EXPECT_FALSE(conflict_check_still_clean(dir, "other", "local", k_t));
  forget_conflict_check(dir, "t");
  EXPECT_FALSE(conflict_check_still_clean(dir, "t", "local", k_t));
}

TEST_F(ConflictCacheTest, CacheLivesOutsideTheRecordFolderAndADamagedOneMeansCheckAgain) {
  remember_clean_conflict_check(dir, "t", "local", k_t);
  // `validate` reads every .json in the record folder as a backup record.
  EXPECT_TRUE(read_backup_records(dir, "t").empty());
  const auto records = backup_record_path(dir, "t", "x").parent_path();
  EXPECT_FALSE(fs::exists(records) && !fs::is_empty(records));
  for (const auto& e : fs::directory_iterator(dir / "t")) {
    if (e.is_regular_file()) std::ofstream(e.path(), std::ios::trunc) << "{\"storage\":";
  }
  EXPECT_FALSE(conflict_check_still_clean(dir, "t", "local", k_t));
}

}  // namespace
}  // namespace agent
