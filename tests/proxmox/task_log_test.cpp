#include <gtest/gtest.h>

#include "proxmox/backup_name.hpp"
#include "proxmox/task_log.hpp"

namespace proxmox {
namespace {

// The three forms of pve-manager PVE/VZDump.pm exec_backup_task's
// "creating $archive_txt archive '$task->{target}'".
TEST(TaskLog, DirectoryStorageArchiveLineGivesTheFileVolid) {
  const auto a = parse_archive_line(
      "INFO: creating vzdump archive "
      "'/var/lib/vz/dump/vzdump-lxc-106-2026_01_01-01_00_00.tar.zst'");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->form, ArchiveLine::Form::vzdump);
  EXPECT_EQ(archive_volid(*a, "local"), "local:backup/vzdump-lxc-106-2026_01_01-01_00_00.tar.zst");
}

TEST(TaskLog, PbsArchiveLineGivesTheSnapshotVolid) {
  const auto a = parse_archive_line(
      "INFO: creating Proxmox Backup Server archive 'ct/106/2026-01-01T01:00:00Z'");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->form, ArchiveLine::Form::pbs);
  const std::string volid = archive_volid(*a, "pbs");
  EXPECT_EQ(volid, "pbs:backup/ct/106/2026-01-01T01:00:00Z");
  const auto name = parse_backup_volid(volid);
  EXPECT_EQ(name.form, BackupNameForm::pbs_snapshot);
  EXPECT_EQ(name.vmid, 106);
}

TEST(TaskLog, BackupProviderArchiveLineKeepsTheProvidersName) {
  const auto a = parse_archive_line("INFO: creating Borg archive 'ct-106:2026-01-01T01:00:00Z'");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->form, ArchiveLine::Form::provider);
  EXPECT_EQ(a->what, "Borg");
  EXPECT_EQ(archive_volid(*a, "borg"), "borg:backup/ct-106:2026-01-01T01:00:00Z");
}

TEST(TaskLog, OnlyTheFirstArchiveLineCounts) {
  // tar's messages come later and can quote names chosen inside the guest.
  const std::vector<std::string> log{
      "INFO: starting new backup job: vzdump 106 --storage local",
      "INFO: creating vzdump archive '/d/vzdump-lxc-106-2026_01_01-01_00_00.tar.zst'",
      "INFO: creating vzdump archive '/etc/shadow'"};
  const auto a = find_archive_line(log);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->target, "/d/vzdump-lxc-106-2026_01_01-01_00_00.tar.zst");
}

TEST(TaskLog, LookAlikesAreNotArchiveLines) {
  EXPECT_FALSE(parse_archive_line("INFO: tar: creating vzdump archive '/x'"));
  EXPECT_FALSE(parse_archive_line("creating vzdump archive '/x'"));
  EXPECT_FALSE(parse_archive_line("INFO: creating vzdump archive ''"));
  EXPECT_FALSE(parse_archive_line("INFO: creating vzdump archive '/x"));
  EXPECT_FALSE(parse_archive_line("INFO: creating  archive '/x'"));
}

TEST(TaskLog, CommandLineAndLockWaitLines) {
  EXPECT_EQ(job_command_line("INFO: starting new backup job: vzdump 106 --mode snapshot"),
            "vzdump 106 --mode snapshot");
  EXPECT_FALSE(job_command_line("INFO: hook: starting new backup job: x"));
  EXPECT_TRUE(is_global_lock_wait("INFO: trying to get global lock - waiting..."));
  EXPECT_FALSE(is_global_lock_wait("INFO: got global lock"));
}

}  // namespace
}  // namespace proxmox
