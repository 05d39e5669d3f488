#include <gtest/gtest.h>

#include "proxmox/backup_name.hpp"

namespace proxmox {
namespace {

TEST(BackupName, StandardVzdumpFileName) {
  const auto n = parse_backup_volid("local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst");
  EXPECT_EQ(n.form, BackupNameForm::vzdump_file);
  EXPECT_EQ(n.storage, "local");
  EXPECT_EQ(n.guest_type, "lxc");
  EXPECT_EQ(n.vmid, 106);
  EXPECT_TRUE(n.standard);
}

TEST(BackupName, RenamedFileKeepsItsGuestTypeButIsNotStandard) {
  // Storage.pm archive_info: vzdump-(lxc|openvz|qemu)-.+<ext> gives the type; only the full
  // pattern is_std_name (the files upstream prune may remove).
  for (const char* volid : {"local:backup/vzdump-lxc-106-keep-forever.tar.zst",
                            "local:backup/vzdump-lxc-106-2025_01_31-02_00_03-copy.tar.zst",
                            "local:backup/vzdump-lxc-0106-2025_01_31-02_00_03.tar.zst",
                            "local:backup/vzdump-lxc-12-2025_01_31-02_00_03.tar"}) {
    const auto n = parse_backup_volid(volid);
    EXPECT_EQ(n.form, BackupNameForm::vzdump_file) << volid;
    EXPECT_EQ(n.guest_type, "lxc") << volid;
    EXPECT_FALSE(n.standard) << volid;
    EXPECT_FALSE(n.vmid) << volid;
  }
}

TEST(BackupName, EveryBackupExtension) {
  for (const char* ext : {"tar", "tar.gz", "tar.lzo", "tar.zst", "tar.bz2", "tgz"}) {
    const auto n =
        parse_backup_volid(std::string("nfs:backup/vzdump-lxc-106-2025_01_31-02_00_03.") + ext);
    EXPECT_TRUE(n.standard) << ext;
  }
  EXPECT_EQ(backup_extension("x.tar.zst"), "tar.zst");
  EXPECT_EQ(backup_extension("x.zst"), "");
}

TEST(BackupName, QemuAndForeignNames) {
  EXPECT_EQ(
      parse_backup_volid("local:backup/vzdump-qemu-106-2025_01_31-02_00_03.vma.zst").guest_type,
      "qemu");
  const auto other = parse_backup_volid("local:backup/my-copy.tar.zst");
  EXPECT_EQ(other.form, BackupNameForm::other);
  EXPECT_EQ(other.guest_type, "");
  EXPECT_FALSE(other.standard);
}

TEST(BackupName, PbsSnapshot) {
  const auto n = parse_backup_volid("pbs-store:backup/ct/106/2026-01-01T01:00:00Z");
  EXPECT_EQ(n.form, BackupNameForm::pbs_snapshot);
  EXPECT_EQ(n.guest_type, "lxc");
  EXPECT_EQ(n.vmid, 106);
  EXPECT_TRUE(n.standard);
  EXPECT_EQ(parse_backup_volid("pbs:backup/vm/106/2026-01-01T01:00:00Z").guest_type, "qemu");
  EXPECT_FALSE(parse_backup_volid("pbs:backup/host/pve1/2026-01-01T01:00:00Z").standard);
}

TEST(BackupName, TraversalAndControlCharactersAreUnsafe) {
  for (const char* volid :
       {"local:backup/../../etc/x", "local:backup/./vzdump-lxc-106-2025_01_31-02_00_03.tar",
        "local:backup//x.tar", "local:images/vzdump-lxc-106-2025_01_31-02_00_03.tar",
        "local:/etc/passwd", "no-storage-prefix", ":backup/x.tar", "local:backup/a\\b.tar",
        "local:backup/x\x1b[2J.tar", "local:backup/x\xFF.tar", "local:backup/x/..",
        "-bad:backup/x.tar"}) {
    const auto n = parse_backup_volid(volid);
    EXPECT_EQ(n.form, BackupNameForm::unsafe) << volid;
    EXPECT_FALSE(n.reason.empty()) << volid;
  }
  EXPECT_EQ(parse_backup_volid(std::string(2000, 'a')).form, BackupNameForm::unsafe);
}

}  // namespace
}  // namespace proxmox
