// Object Lock from the one policy against the real radosgw: a later run that promotes a copy
// (the daily keeper becomes its week's weekly) extends its retain-until with
// PutObjectRetention, as HEAD shows; a later policy that would need less never shortens it.
#include <gtest/gtest.h>

#include "agent/tier/offsite_receipt.hpp"
#include "policies/civil_time.hpp"
#include "tests/agent_offsite/offsite_fixture.hpp"

namespace agent::offsite {
namespace {

namespace fs = std::filesystem;

using testing::epoch_now;
constexpr std::int64_t k_day = 86400;

class OffsiteLockFromPolicy : public testing::OffsiteFixture {
 protected:
  std::int64_t retain_until_on_server(const std::string& id) {
    auto rec = read_offsite_receipts(config.state_dir, "prod", TierName::mongo, id);
    EXPECT_TRUE(rec);
    if (!rec) return 0;
    const auto& c = rec->copies.front();
    auto head = m_bucket_client->head_object(c.key, c.version_id);
    EXPECT_TRUE(head) << head.error().message;
    if (!head || !head->retention) return 0;
    return head->retention->retain_until.time_since_epoch().count();
  }
  std::int64_t retain_until_in_receipt(const std::string& id) {
    return read_offsite_receipts(config.state_dir, "prod", TierName::mongo, id)
        ->copies.front()
        .retain_until;
  }
  static policies::RetentionPolicy daily_weekly(std::optional<std::int64_t> daily,
                                                std::optional<std::int64_t> weekly) {
    policies::RetentionPolicy p;
    p.keep_daily = daily;
    p.keep_weekly = weekly;
    p.keep_monthly.reset();
    return p;
  }
};

TEST_F(OffsiteLockFromPolicy, APromotedCopyGetsALongerLockAndALockNeverShortens) {
  add_mongo_target();
  // The Sunday before this ISO week, and this week's Monday (UTC).
  const std::int64_t now = epoch_now();
  const std::int64_t today = now / k_day;
  const std::int64_t since_monday = (today + 3) % 7;  // 1970-01-01 was a Thursday
  const std::int64_t monday = (today - since_monday) * k_day;
  const std::int64_t sunday_ctime = monday - k_day + 12 * 3600;
  const std::int64_t monday_ctime = monday + 3600;
  const std::string sunday_id = "backup-sunday", monday_id = "backup-monday";
  config.retention = daily_weekly(1, 4);
  add_destination(true, true);
  OffsiteTier tier(config, options());

  // Run 1: the Sunday backup alone is the daily keeper; its daily lock is in the past, so the
  // plan asks for one interval from now.
  add_mongo_backup(sunday_id, sunday_ctime);
  const TierOutcome first = run_backup(tier);
  ASSERT_EQ(first.state, TierState::ok) << why(first);
  const std::int64_t daily_lock = retain_until_on_server(sunday_id);
  EXPECT_GE(daily_lock, now + k_day);
  EXPECT_LT(daily_lock, now + 2 * k_day);

  // Run 2: a Monday backup takes the daily slot; the Sunday one stays as its week's weekly,
  // kept until 4 weeks after its week began (+ one interval): the prune extends the lock.
  add_mongo_backup(monday_id, monday_ctime);
  const TierOutcome second = run_backup(tier);
  ASSERT_EQ(second.state, TierState::ok) << why(second);
  const TierOutcome promoted = run_prune(tier);
  ASSERT_EQ(promoted.state, TierState::ok) << why(promoted);
  EXPECT_NE(promoted.summary.find("1 lock(s) extended"), std::string::npos) << promoted.summary;
  const std::int64_t weekly_lock = monday - 7 * k_day + 4 * 7 * k_day + k_day;
  EXPECT_EQ(retain_until_on_server(sunday_id), weekly_lock);
  EXPECT_EQ(retain_until_in_receipt(sunday_id), weekly_lock);
  EXPECT_GT(weekly_lock, daily_lock);

  // Run 3: a policy under which the copy needs less (a daily keeper again) leaves the longer
  // lock as it is: retention never shortens.
  config.retention = daily_weekly(2, std::nullopt);
  const TierOutcome later = run_prune(tier);
  ASSERT_EQ(later.state, TierState::ok) << why(later);
  EXPECT_EQ(later.summary.find("extended"), std::string::npos) << later.summary;
  EXPECT_EQ(retain_until_on_server(sunday_id), weekly_lock);
  EXPECT_EQ(retain_until_in_receipt(sunday_id), weekly_lock);
}

// A per-destination override that keeps more than the local policy: off-site copies the host
// has already let go of stay (and are uploaded when still on the host), under the override's
// lock.
TEST_F(OffsiteLockFromPolicy, ADestinationOverrideKeepsMoreOffsiteThanLocally) {
  add_mongo_target();
  const std::int64_t now = epoch_now();
  config.retention = daily_weekly(1, std::nullopt);
  for (int i = 0; i < 3; ++i) {
    add_mongo_backup("backup-" + std::to_string(i), now - (3 - i) * k_day);
  }
  auto& d = add_destination(true, true);
  d.retention = daily_weekly(3, std::nullopt);
  OffsiteTier tier(config, options());
  const TierOutcome up = run_backup(tier);
  ASSERT_EQ(up.state, TierState::ok) << why(up);
  EXPECT_NE(up.summary.find("uploaded 3 backups"), std::string::npos) << up.summary;
  const TierOutcome pruned = run_prune(tier);
  ASSERT_EQ(pruned.state, TierState::ok) << why(pruned);
  EXPECT_EQ(pruned.kept_count, 3u) << pruned.summary;
  EXPECT_EQ(pruned.removed_count, 0u) << pruned.summary;
  // The newest is the first of the override's three daily slots: locked until midnight three
  // days after its day, + one day (under the local keep-daily=1 it would need only a day).
  const std::int64_t today = now / k_day * k_day;
  EXPECT_EQ(retain_until_on_server("backup-2"), today + 3 * k_day);

  // Without the override the same destination keeps one.
  d.retention.reset();
  const TierOutcome one = run_prune(tier);
  ASSERT_NE(one.state, TierState::failed) << why(one);
  EXPECT_EQ(one.kept_count, 1u) << one.summary;
  EXPECT_NE(one.summary.find("still locked"), std::string::npos) << one.summary;
}

}  // namespace
}  // namespace agent::offsite
