#include <gtest/gtest.h>

#include "proxmox/storage.hpp"
#include "proxmox/vzdump_options.hpp"

namespace proxmox {
namespace {

TEST(VzdumpOptions, EnumsAsUpstreamSchema) {
  EXPECT_FALSE(vzdump_option_error("notification-mode", "notification-system"));
  EXPECT_FALSE(vzdump_option_error("notification-mode", "legacy-sendmail"));
  EXPECT_EQ(vzdump_option_error("notification-mode", "mail"),
            "value 'mail' does not have a value in the enumeration 'auto, legacy-sendmail, "
            "notification-system'");
  EXPECT_FALSE(vzdump_option_error("pbs-change-detection-mode", "metadata"));
  EXPECT_TRUE(vzdump_option_error("pbs-change-detection-mode", "Metadata"));
}

TEST(VzdumpOptions, MailtoIsAListOfAddressesOrUserNames) {
  EXPECT_FALSE(vzdump_option_error("mailto", "root@example.com, ops;backup-team"));
  EXPECT_FALSE(vzdump_option_error("mailto", ""));
  EXPECT_TRUE(vzdump_option_error("mailto", "root@exa mple..com"));
  EXPECT_TRUE(vzdump_option_error("mailto", "a@b@c"));
  EXPECT_TRUE(vzdump_option_error("mailto", "<root@example.com>"));
}

TEST(StorageKinds, OnlyFileStoragesOnThisNodeAreReadLocally) {
  StorageStatus dir{"local", "dir", "backup", false, true, true, 0, 0, 0};
  StorageStatus nfs{"nas", "nfs", "backup", true, true, true, 0, 0, 0};
  StorageStatus pbs{"pbs", "pbs", "backup", true, true, true, 0, 0, 0};
  StorageStatus borg{"borg", "borg-provider", "backup", true, true, true, 0, 0, 0};
  VolumeInfo file;
  file.path = "/var/lib/vz/dump/vzdump-lxc-106-2026_01_01-01_00_00.tar.zst";
  VolumeInfo pbs_path;
  pbs_path.path = "pbs://root@pam@pbs.example:store/ct/106/2026-01-01T01:00:00Z";
  EXPECT_EQ(volume_locality(dir, file, "pve1", "pve1"), VolumeLocality::local_file);
  EXPECT_EQ(volume_locality(dir, file, "pve2", "pve1"), VolumeLocality::other_node);
  EXPECT_EQ(volume_locality(nfs, file, "pve2", "pve1"), VolumeLocality::local_file);
  EXPECT_EQ(volume_locality(pbs, pbs_path, "pve1", "pve1"), VolumeLocality::not_a_file);
  EXPECT_EQ(volume_locality(borg, file, "pve1", "pve1"), VolumeLocality::not_a_file);
  EXPECT_EQ(dir.kind(), StorageKind::file);
  EXPECT_EQ(pbs.kind(), StorageKind::pbs);
  EXPECT_EQ(borg.kind(), StorageKind::external);
  StorageStatus listed;
  listed.content = "iso,backup,vztmpl";
  EXPECT_TRUE(listed.has_content("backup"));
  listed.content = "iso,backups";
  EXPECT_FALSE(listed.has_content("backup"));
}

}  // namespace
}  // namespace proxmox
