#include "agent/status/storage_projection.hpp"

#include <gtest/gtest.h>

namespace {

constexpr std::int64_t k_day = 86400;
constexpr std::uint64_t k_gib = 1ULL << 30;

// Nightly samples: day i keeps `kept(i)` bytes after a backup of `backup(i)` bytes.
template <typename Kept, typename Backup>
std::vector<agent::SizeSample> nights(int count, Kept kept, Backup backup) {
  std::vector<agent::SizeSample> out;
  for (int i = 0; i < count; ++i) {
    out.push_back({1'800'000'000 + i * k_day, static_cast<std::uint64_t>(kept(i)),
                   static_cast<std::uint64_t>(backup(i))});
  }
  return out;
}

TEST(StorageProjection, SteadyRetentionWithRoomProjectsNothing) {
  // 10 backups of 1 GiB kept every day, 20 GiB free: fits for the whole horizon.
  const auto h = nights(
      20, [](int) { return 10 * k_gib; }, [](int) { return k_gib; });
  const auto p = agent::project_storage(h, 20 * k_gib, 10);
  EXPECT_FALSE(p.days_left);
  EXPECT_EQ(p.kept_growth_per_day, 0);
}

TEST(StorageProjection, NextBackupThatDoesNotFitIsDayZero) {
  const auto h = nights(
      5, [](int) { return 4 * k_gib; }, [](int) { return 2 * k_gib; });
  const auto p = agent::project_storage(h, k_gib, 10);
  ASSERT_TRUE(p.days_left);
  EXPECT_EQ(*p.days_left, 0);
  EXPECT_NE(p.explanation.find("next backup"), std::string::npos);
}

TEST(StorageProjection, GrowingBackupsFillTheStorageDaysAhead) {
  // Backups grow by 100 MiB a day from 1 GiB; the policy keeps 10; kept = 10 backups.
  constexpr double mib = 1 << 20;
  auto backup = [&](int i) { return k_gib + static_cast<std::uint64_t>(100 * mib * i); };
  const auto h = nights(
      30, [&](int i) { return 10 * backup(i); }, backup);
  const std::uint64_t free = 12 * k_gib;
  const auto p = agent::project_storage(h, free, 10);
  ASSERT_TRUE(p.days_left);
  // need(t) = 11 * backup(29 + t) <= kept(29) + free  ->  t < about 8.4 days.
  EXPECT_GE(*p.days_left, 7);
  EXPECT_LE(*p.days_left, 10);
  EXPECT_NEAR(p.backup_growth_per_day, 100 * mib, mib);
  EXPECT_NE(p.explanation.find("in about"), std::string::npos);
}

TEST(StorageProjection, RetentionCeilingStopsTheEarlyLinearGrowth) {
  // First week: one more 1 GiB backup kept each night. The policy keeps at most 10, so the
  // kept total stops at 10 GiB: 12 GiB of room is enough, although the trend alone would say
  // the storage fills in about a week.
  const auto h = nights(
      7, [](int i) { return (i + 1) * k_gib; }, [](int) { return k_gib; });
  EXPECT_FALSE(agent::project_storage(h, 5 * k_gib, 10).days_left);
  ASSERT_TRUE(agent::project_storage(h, 5 * k_gib, std::nullopt).days_left);
  EXPECT_EQ(*agent::project_storage(h, 5 * k_gib, std::nullopt).days_left, 5);
}

TEST(StorageProjection, TooLittleHistoryIsNoTrend) {
  const auto h = nights(
      2, [](int i) { return (i + 1) * k_gib; }, [](int) { return k_gib; });
  const auto p = agent::project_storage(h, 3 * k_gib, std::nullopt);
  EXPECT_EQ(p.kept_growth_per_day, 0);
  EXPECT_FALSE(p.days_left);
  EXPECT_FALSE(agent::project_storage({}, 0, 10).days_left);
}

}  // namespace
