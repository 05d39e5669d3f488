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

policies::RetentionPolicy keep_last(std::int64_t n) {
  policies::RetentionPolicy p;
  p.keep_daily.reset();
  p.keep_weekly.reset();
  p.keep_monthly.reset();
  p.keep_last = n;
  return p;
}

const std::string k_failed_notes = "p smokerbak:R \xC2\xB7 keep: last \xC2\xB7 verify FAILED";

TEST(RetentionPlan, FailedArchivesTakeNoSlotAndOnlyTheNewestIsKeptAsEvidence) {
  const std::vector<proxmox::BackupVolume> volumes = {
      vol("a", 1 * k_day, "p smokerbak:R1"), vol("b", 2 * k_day, k_failed_notes),
      vol("c", 3 * k_day, "p smokerbak:R3"), vol("d", 4 * k_day, "p smokerbak:R4"),
      vol("e", 5 * k_day, "p smokerbak:R5")};
  // d failed in this run (its notes do not say so yet); b failed earlier, by its notes.
  const auto plan = plan_retention(volumes, keep_last(3), policies::UtcCalendar{}, false, {},
                                   {{"local:backup/d", false}});
  // The three slots go to the good archives e, c and a, not to the newer failed d and b.
  EXPECT_EQ(plan[4].decision.mark, policies::Mark::keep);
  EXPECT_EQ(plan[2].decision.mark, policies::Mark::keep);
  EXPECT_EQ(plan[0].decision.mark, policies::Mark::keep);
  EXPECT_EQ(keep_text(plan[0]), "last");
  EXPECT_TRUE(plan[3].failed_verification);
  EXPECT_EQ(plan[3].decision.mark, policies::Mark::keep);
  EXPECT_EQ(plan[3].decision.reason, k_reason_failed_evidence);
  EXPECT_EQ(keep_text(plan[3]), "evidence (no retention slot)");
  EXPECT_TRUE(plan[1].failed_verification);
  EXPECT_EQ(plan[1].decision.mark, policies::Mark::remove);
  EXPECT_EQ(plan[1].decision.reason, k_reason_failed_superseded);
  EXPECT_EQ(keep_text(plan[1]), "");
}

TEST(RetentionPlan, KnownVerdictOverridesTheNotes) {
  // a was re-verified after its notes said FAILED; b's record says failed, notes not yet.
  const std::vector<proxmox::BackupVolume> volumes = {vol("a", 1 * k_day, k_failed_notes),
                                                      vol("b", 2 * k_day, "p smokerbak:R2")};
  const auto plan = plan_retention(volumes, keep_last(1), policies::UtcCalendar{}, false, {},
                                   {{"local:backup/a", true}, {"local:backup/b", false}});
  EXPECT_FALSE(plan[0].failed_verification);
  EXPECT_EQ(plan[0].decision.mark, policies::Mark::keep);
  EXPECT_EQ(keep_text(plan[0]), "last");
  EXPECT_TRUE(plan[1].failed_verification);
  EXPECT_EQ(plan[1].decision.reason, k_reason_failed_evidence);
}

TEST(RetentionPlan, ProtectedOrForeignFailedArchivesAreLeftAlone) {
  const std::vector<proxmox::BackupVolume> volumes = {
      vol("a", 1 * k_day, k_failed_notes, /*is_protected=*/true), vol("b", 2 * k_day, "manual"),
      vol("c", 3 * k_day, "p smokerbak:R3")};
  const auto plan = plan_retention(volumes, keep_last(1), policies::UtcCalendar{}, false, {},
                                   {{"local:backup/b", false}});
  EXPECT_FALSE(plan[0].failed_verification);
  EXPECT_EQ(plan[0].decision.mark, policies::Mark::protected_backup);
  EXPECT_FALSE(plan[1].managed);
  EXPECT_FALSE(plan[1].failed_verification);
  EXPECT_EQ(plan[2].decision.mark, policies::Mark::keep);
}

}  // namespace
}  // namespace agent
