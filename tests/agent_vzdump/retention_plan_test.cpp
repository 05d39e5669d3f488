#include <gtest/gtest.h>

#include "agent/vzdump/retention_plan.hpp"

namespace agent {
namespace {

proxmox::BackupVolume vol(std::string name, std::int64_t ctime, std::string notes,
                          bool is_protected = false) {
  proxmox::BackupVolume v;
  v.volid = "local:backup/" + std::move(name);
  v.ctime = ctime;
  v.notes = std::move(notes);
  v.is_protected = is_protected;
  v.vmid = 106;
  v.subtype = "lxc";
  return v;
}

constexpr std::int64_t k_day = 86400;

TEST(RetentionPlan, ForeignArchivesAreNeitherCountedNorRemoved) {
  policies::RetentionPolicy keep_one;
  keep_one.keep_daily.reset();
  keep_one.keep_weekly.reset();
  keep_one.keep_monthly.reset();
  keep_one.keep_last = 1;
  const std::vector<proxmox::BackupVolume> volumes = {
      vol("a", 1 * k_day, "p smokerbak:R1"), vol("b", 2 * k_day, "manual"),
      vol("c", 3 * k_day, "p smokerbak:R3"), vol("d", 4 * k_day, "manual too")};
  const auto plan = plan_retention(volumes, keep_one, policies::UtcCalendar{}, false);
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_TRUE(plan[0].managed);
  EXPECT_EQ(plan[0].decision.mark, policies::Mark::remove);
  EXPECT_FALSE(plan[1].managed);
  EXPECT_EQ(plan[2].decision.mark, policies::Mark::keep);  // newest owned, not the foreign d
  EXPECT_EQ(keep_text(plan[2]), "last");
  EXPECT_FALSE(plan[3].managed);
}

TEST(RetentionPlan, PruneForeignManagesEveryArchiveAndProtectedStaysProtected) {
  policies::RetentionPolicy keep_one;
  keep_one.keep_daily = 1;
  keep_one.keep_weekly.reset();
  keep_one.keep_monthly.reset();
  const std::vector<proxmox::BackupVolume> volumes = {vol("a", 1 * k_day, "manual", true),
                                                      vol("b", 2 * k_day, "manual"),
                                                      vol("c", 3 * k_day, "p smokerbak:R3")};
  const auto plan = plan_retention(volumes, keep_one, policies::UtcCalendar{}, true);
  EXPECT_EQ(plan[0].decision.mark, policies::Mark::protected_backup);
  EXPECT_EQ(keep_text(plan[0]), "protected");
  EXPECT_EQ(plan[1].decision.mark, policies::Mark::remove);
  EXPECT_EQ(keep_text(plan[1]), "");
  EXPECT_EQ(keep_text(plan[2]), "daily");
}

TEST(RetentionPlan, OverrideOwnsAnArchiveWhoseNotesAreNotWrittenYet) {
  const std::vector<proxmox::BackupVolume> volumes = {vol("a", k_day, "")};
  const auto plan = plan_retention(volumes, policies::RetentionPolicy{}, policies::UtcCalendar{},
                                   false, {{"local:backup/a", "R9"}});
  ASSERT_TRUE(plan[0].run_id);
  EXPECT_EQ(*plan[0].run_id, "R9");
  EXPECT_EQ(keep_text(plan[0]), "daily, weekly, monthly");
}

}  // namespace
}  // namespace agent
