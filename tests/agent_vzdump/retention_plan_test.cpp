#include <gtest/gtest.h>

#include "agent/vzdump/retention_plan.hpp"

namespace agent {
namespace {

constexpr std::int64_t k_day = 86400;
const std::string k_id = "3f9a0c2e71b4";

// A standard archive name of CT 106 for day `day` (1-based within December 2025).
std::string std_name(int day) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "vzdump-lxc-106-2025_12_%02d-01_00_02.tar.zst", day);
  return buf;
}

std::string tag(const std::string& run_id) { return owner_tag_text(k_id, "p", run_id); }

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

proxmox::BackupVolume day(int d, std::string notes, bool is_protected = false) {
  return vol(std_name(d), d * k_day, std::move(notes), is_protected);
}

PlanInput input(bool prune_foreign = false) {
  PlanInput in;
  in.owner = Ownership{k_id, "p"};
  in.storage = "local";
  in.vmid = 106;
  in.prune_foreign = prune_foreign;
  return in;
}

policies::RetentionPolicy keep_last(std::int64_t n) {
  policies::RetentionPolicy p;
  p.keep_daily.reset();
  p.keep_weekly.reset();
  p.keep_monthly.reset();
  p.keep_last = n;
  return p;
}

TEST(RetentionPlan, ForeignArchivesAreNeitherCountedNorRemoved) {
  const std::vector<proxmox::BackupVolume> volumes = {
      day(1, tag("R1")),
      day(2, "manual"),
      day(3, tag("R3")),
      day(4, "not for smokerbak: keep"),
      day(5, owner_tag_text("000000000000", "p", "R5")),  // another installation
      day(6, owner_tag_text(k_id, "q", "R6"))};           // another target
  const auto plan = plan_retention(volumes, keep_last(1), policies::UtcCalendar{}, input());
  ASSERT_EQ(plan.size(), 6u);
  EXPECT_TRUE(plan[0].managed);
  EXPECT_EQ(plan[0].decision.mark, policies::Mark::remove);
  EXPECT_FALSE(plan[1].managed);
  EXPECT_EQ(plan[2].decision.mark, policies::Mark::keep);  // newest owned, not a foreign one
  EXPECT_EQ(keep_text(plan[2]), "last");
  EXPECT_FALSE(plan[3].managed);
  EXPECT_FALSE(plan[4].managed);
  EXPECT_FALSE(plan[5].managed);
}

TEST(RetentionPlan, PruneForeignManagesEveryStandardArchiveAndProtectedStaysProtected) {
  policies::RetentionPolicy keep_one;
  keep_one.keep_daily = 1;
  keep_one.keep_weekly.reset();
  keep_one.keep_monthly.reset();
  const std::vector<proxmox::BackupVolume> volumes = {day(1, "manual", true), day(2, "manual"),
                                                      day(3, tag("R3"))};
  const auto plan = plan_retention(volumes, keep_one, policies::UtcCalendar{}, input(true));
  EXPECT_EQ(plan[0].decision.mark, policies::Mark::protected_backup);
  EXPECT_EQ(keep_text(plan[0]), "protected");
  EXPECT_EQ(plan[1].decision.mark, policies::Mark::remove);
  EXPECT_EQ(keep_text(plan[1]), "");
  EXPECT_EQ(keep_text(plan[2]), "daily");
}

TEST(RetentionPlan, RenamedAndOtherGuestsArchivesAreNeverCandidatesEvenWithPruneForeign) {
  const std::vector<proxmox::BackupVolume> volumes = {
      vol("vzdump-lxc-106-2025_12_01-01_00_02-before-upgrade.tar.zst", k_day, tag("R1")),
      vol("vzdump-lxc-107-2025_12_02-01_00_02.tar.zst", 2 * k_day, tag("R2")),
      vol("vzdump-qemu-106-2025_12_03-01_00_02.vma.zst", 3 * k_day, tag("R3")),
      vol("vzdump-lxc-106-2025_12_04-01_00_02.tar.bz2", 4 * k_day, tag("R4")),
      day(5, tag("R5")),
      day(6, tag("R6"))};
  for (const bool foreign : {false, true}) {
    const auto plan =
        plan_retention(volumes, keep_last(1), policies::UtcCalendar{}, input(foreign));
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_FALSE(plan[i].candidate) << plan[i].volume.volid;
      EXPECT_FALSE(plan[i].managed) << plan[i].volume.volid;
      EXPECT_FALSE(plan[i].not_candidate.empty());
    }
    EXPECT_EQ(plan[4].decision.mark, policies::Mark::remove);
    EXPECT_EQ(plan[5].decision.mark, policies::Mark::keep);
  }
  EXPECT_NE(deletion_candidate(volumes[0], "local", 106)->find("renamed"), std::string::npos);
  // Another storage's volid, a traversal volid: never candidates.
  auto other = day(7, tag("R7"));
  other.volid = "nfs:backup/" + std_name(7);
  EXPECT_TRUE(deletion_candidate(other, "local", 106));
  other.volid = "local:backup/../" + std_name(7);
  EXPECT_TRUE(deletion_candidate(other, "local", 106));
}

TEST(RetentionPlan, PbsSnapshotsOfThisGuestAreCandidates) {
  proxmox::BackupVolume v;
  v.volid = "pbs:backup/ct/106/2025-12-07T01:00:02Z";
  v.vmid = 106;
  v.subtype = "lxc";
  EXPECT_FALSE(deletion_candidate(v, "pbs", 106));
  EXPECT_TRUE(deletion_candidate(v, "pbs", 107));
  v.volid = "pbs:backup/vm/106/2025-12-07T01:00:02Z";
  EXPECT_TRUE(deletion_candidate(v, "pbs", 106));
}

TEST(RetentionPlan, OverrideOwnsAnArchiveWhoseNotesAreNotWrittenYet) {
  auto in = input();
  const std::vector<proxmox::BackupVolume> volumes = {day(1, "")};
  in.owned_override = {{volumes[0].volid, "R9"}};
  const auto plan =
      plan_retention(volumes, policies::RetentionPolicy{}, policies::UtcCalendar{}, in);
  ASSERT_TRUE(plan[0].run_id);
  EXPECT_EQ(*plan[0].run_id, "R9");
  EXPECT_EQ(keep_text(plan[0]), "daily, weekly, monthly");
}

TEST(RetentionPlan, FailedArchivesTakeNoSlotAndOnlyTheNewestIsKeptAsEvidence) {
  const std::vector<proxmox::BackupVolume> volumes = {day(1, tag("R1")), day(2, tag("R2")),
                                                      day(3, tag("R3")), day(4, tag("R4")),
                                                      day(5, tag("R5"))};
  auto in = input();
  in.states = {{volumes[3].volid, VerifyState::failed}, {volumes[1].volid, VerifyState::failed}};
  const auto plan = plan_retention(volumes, keep_last(3), policies::UtcCalendar{}, in);
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
}

TEST(RetentionPlan, NotesSayingFailedDoNotMakeAnArchiveFailed) {
  // The notes are remote text: only a record or PBS's verification decides.
  const std::string failed_notes = tag("R") + " \xC2\xB7 keep: last \xC2\xB7 verify FAILED";
  const std::vector<proxmox::BackupVolume> volumes = {day(1, failed_notes), day(2, tag("R2"))};
  const auto plan = plan_retention(volumes, keep_last(2), policies::UtcCalendar{}, input());
  EXPECT_FALSE(plan[0].failed_verification);
  EXPECT_EQ(plan[0].decision.mark, policies::Mark::keep);
}

TEST(RetentionPlan, PendingOrNotVerifiableArchivesTakeTheirSlotAndNeverFeedTheSupersededRule) {
  // Issue 12's data-loss case: on PBS every snapshot is "not yet verified" or "not verifiable
  // here"; none of them may be removed as superseded failures.
  std::vector<proxmox::BackupVolume> volumes;
  auto in = input();
  for (int d = 1; d <= 6; ++d) {
    volumes.push_back(day(d, tag("R" + std::to_string(d))));
    in.states[volumes.back().volid] =
        d % 2 ? VerifyState::pbs_pending : VerifyState::not_verifiable;
  }
  const auto plan = plan_retention(volumes, keep_last(6), policies::UtcCalendar{}, in);
  for (const auto& p : plan) {
    EXPECT_FALSE(p.failed_verification) << p.volume.volid;
    EXPECT_EQ(p.decision.mark, policies::Mark::keep) << p.volume.volid;
  }
}

TEST(RetentionPlan, ProtectedOrForeignFailedArchivesAreLeftAlone) {
  const std::vector<proxmox::BackupVolume> volumes = {day(1, tag("R1"), /*is_protected=*/true),
                                                      day(2, "manual"), day(3, tag("R3"))};
  auto in = input();
  in.states = {{volumes[0].volid, VerifyState::failed}, {volumes[1].volid, VerifyState::failed}};
  const auto plan = plan_retention(volumes, keep_last(1), policies::UtcCalendar{}, in);
  EXPECT_FALSE(plan[0].failed_verification);
  EXPECT_EQ(plan[0].decision.mark, policies::Mark::protected_backup);
  EXPECT_FALSE(plan[1].managed);
  EXPECT_FALSE(plan[1].failed_verification);
  EXPECT_EQ(plan[2].decision.mark, policies::Mark::keep);
}

}  // namespace
}  // namespace agent
