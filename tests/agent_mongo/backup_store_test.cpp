#include "agent/mongo/backup_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/core/atomic_file.hpp"
#include "agent/mongo/validation_report.hpp"

namespace {
namespace fs = std::filesystem;
using agent::mongo::BackupStore;

class BackupStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root =
        fs::temp_directory_path() /
        ("smokerbak-store-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_root);
    fs::create_directories(m_root);
  }
  void TearDown() override { fs::remove_all(m_root); }

  // Publishes a backup with a manifest marked `valid`.
  std::string make_backup(const std::string& stamp, std::int64_t epoch, bool valid = true) {
    BackupStore store(m_root);
    auto name = store.create_partial(stamp);
    EXPECT_TRUE(name);
    agent::mongo::Manifest m;
    m.backup_id = *name;
    m.database = "smoker";
    m.started_at = epoch;
    m.archive_file = "smoker.archive.gz";
    m.valid = valid;
    EXPECT_FALSE(agent::write_file_atomically(store.partial_dir(*name) / "manifest.json",
                                              agent::mongo::manifest_to_json(m)));
    EXPECT_FALSE(store.publish(*name));
    return *name;
  }
  fs::path m_root;
};

TEST_F(BackupStoreTest, ListsOnlyValidBackupsOldestFirst) {
  make_backup("20261102-010000", 200);
  make_backup("20261101-010000", 100);
  make_backup("20261103-010000", 300, false);
  fs::create_directories(m_root / "failed-20261104-010000");
  const auto list = BackupStore(m_root).list_valid();
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].id, "backup-20261101-010000");
  EXPECT_EQ(list[1].id, "backup-20261102-010000");
}

TEST_F(BackupStoreTest, LatestIsReplacedAndResolved) {
  BackupStore store(m_root);
  const auto a = make_backup("20261101-010000", 100);
  const auto b = make_backup("20261102-010000", 200);
  ASSERT_FALSE(store.point_latest(a));
  ASSERT_FALSE(store.point_latest(b));
  EXPECT_EQ(store.latest(), b);
  auto r = store.resolve("latest");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, b);
  EXPECT_FALSE(fs::exists(m_root / "latest.tmp"));
}

TEST_F(BackupStoreTest, RefusesToRemoveLatest) {
  BackupStore store(m_root);
  const auto a = make_backup("20261101-010000", 100);
  ASSERT_FALSE(store.point_latest(a));
  EXPECT_TRUE(store.remove_backup(a).has_value());
  EXPECT_TRUE(fs::exists(m_root / a));
}

TEST_F(BackupStoreTest, KeepsOnlyTheNewestFailedAttempt) {
  BackupStore store(m_root);
  for (const char* stamp : {"20261101-010000", "20261102-010000"}) {
    auto name = store.create_partial(stamp);
    ASSERT_TRUE(name);
    ASSERT_FALSE(store.keep_failed(*name, stamp));
  }
  EXPECT_FALSE(fs::exists(m_root / "failed-20261101-010000"));
  EXPECT_TRUE(fs::exists(m_root / "failed-20261102-010000"));
}

TEST_F(BackupStoreTest, RemovesPartialLeftovers) {
  BackupStore store(m_root);
  auto name = store.create_partial("20261101-010000");
  ASSERT_TRUE(name);
  std::ofstream(store.partial_dir(*name) / "smoker.archive.gz") << "half";
  EXPECT_EQ(store.remove_partials(), std::vector<std::string>{*name + ".partial"});
  EXPECT_FALSE(fs::exists(store.partial_dir(*name)));
}

TEST_F(BackupStoreTest, SameSecondGetsASuffix) {
  BackupStore store(m_root);
  make_backup("20261101-010000", 100);
  auto second = store.create_partial("20261101-010000");
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, "backup-20261101-010000-2");
}

TEST_F(BackupStoreTest, ResolveRejectsPathsAndUnknownNames) {
  BackupStore store(m_root);
  EXPECT_FALSE(store.resolve("../etc"));
  EXPECT_FALSE(store.resolve("backup-19990101-000000"));
  EXPECT_FALSE(store.resolve("latest"));
}

}  // namespace
