#include <gtest/gtest.h>

#include "proxmox/pct_config.hpp"
#include "proxmox/response_parser.hpp"

namespace proxmox {
namespace {

// An archived ./etc/vzdump/pct.conf as pve-container writes it (write_pct_config: the
// description as '#' lines, URI-escaped).
const char* const k_archived = R"(#Smart smoker cloud%3A production
#see wiki
arch: amd64
cores: 2
hostname: smartsmoker-cloud
memory: 2048
mp0: local-lvm:vm-106-disk-1,mp=/var/lib/mongodb,backup=1,size=32G
mp1: /srv/shared,mp=/mnt/shared
mp2: local-lvm:vm-106-disk-2,mp=/var/cache/big,size=100G
mp3: /dev/sdb1,mp=/mnt/usb
net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:AA:BB:CC,ip=192.0.2.10/24,gw=192.0.2.1,type=veth
net1: name=eth1,bridge=vmbr1,firewall=1,hwaddr=BC:24:11:AA:BB:CD,ip=dhcp,type=veth
onboot: 1
ostype: debian
protection: 1
rootfs: local-lvm:vm-106-disk-0,size=8G
tags: prod;mongo
unprivileged: 1
lxc.mount.entry: /srv/data srv/data none bind,create=dir 0 0

[vzdump]
hostname: old
)";

TEST(PctConfig, ReadsTheArchivedFileForm) {
  const LxcConfig c = parse_pct_conf(k_archived);
  EXPECT_EQ(c.hostname(), "smartsmoker-cloud");
  EXPECT_EQ(c.description, "Smart smoker cloud: production\nsee wiki\n");
  EXPECT_EQ(c.tags(), "prod;mongo");
  EXPECT_TRUE(c.flag("onboot"));
  EXPECT_TRUE(c.flag("protection"));
  ASSERT_EQ(c.lxc.size(), 1u);
  EXPECT_EQ(c.lxc[0].first, "lxc.mount.entry");
  EXPECT_TRUE(c.warnings.empty());
  ASSERT_EQ(c.nets.size(), 2u);
  EXPECT_EQ(c.nets[0].get("ip"), "192.0.2.10/24");
  EXPECT_EQ(c.nets[1].get("bridge"), "vmbr1");
}

TEST(PctConfig, MountPointsClassifiedLikeVzdump) {
  const LxcConfig c = parse_pct_conf(k_archived);
  ASSERT_EQ(c.mounts.size(), 5u);
  EXPECT_EQ(c.mounts[0].key, "rootfs");
  EXPECT_TRUE(c.mounts[0].in_backup);
  EXPECT_EQ(c.mounts[0].mp, "/");
  EXPECT_EQ(c.mounts[1].key, "mp0");
  EXPECT_TRUE(c.mounts[1].in_backup);
  EXPECT_EQ(c.mounts[1].reason, "enabled");
  EXPECT_EQ(c.mounts[2].type, MountPoint::Type::bind);
  EXPECT_FALSE(c.mounts[2].in_backup);
  EXPECT_EQ(c.mounts[2].reason, "not a volume");
  EXPECT_EQ(c.mounts[3].reason, "disabled");  // a volume without backup=1
  EXPECT_EQ(c.mounts[4].type, MountPoint::Type::device);
  EXPECT_EQ(c.mounts[4].mp, "/mnt/usb");
}

TEST(PctConfig, DrillNetworksAreDownAndGetNewMacs) {
  const auto nets = drill_network_params(parse_pct_conf(k_archived));
  ASSERT_EQ(nets.size(), 2u);
  EXPECT_EQ(nets[0].first, "net0");
  EXPECT_EQ(nets[0].second,
            "name=eth0,bridge=vmbr0,ip=192.0.2.10/24,gw=192.0.2.1,type=veth,link_down=1");
  EXPECT_EQ(nets[1].second, "name=eth1,bridge=vmbr1,firewall=1,ip=dhcp,type=veth,link_down=1");
}

TEST(PctConfig, ApiFormHasTheSameReading) {
  const auto c = parse::lxc_config(
      R"({"data":{"hostname":"ct","cores":2,"mp0":"/srv/x,mp=/x","net0":"name=eth0,bridge=vmbr0,link_down=1",)"
      R"("rootfs":"local:106/vm-106-disk-0.raw,size=8G","lxc":[["lxc.cgroup2.devices.allow","c 1:3 rwm"]],)"
      R"("description":"two\nlines\n","digest":"abc"}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->get("cores"), "2");
  EXPECT_EQ(c->description, "two\nlines\n");
  ASSERT_EQ(c->mounts.size(), 2u);
  EXPECT_EQ(c->mounts[1].type, MountPoint::Type::bind);
  ASSERT_EQ(c->nets.size(), 1u);
  EXPECT_TRUE(c->nets[0].link_down());
  ASSERT_EQ(c->lxc.size(), 1u);
}

TEST(PctConfig, HostileTextIsBoundedAndNeverThrows) {
  std::string lines;
  for (int i = 0; i < 10000; ++i) lines += "net" + std::to_string(i) + ": x\n";
  const LxcConfig c = parse_pct_conf(lines + "garbage \xFF\x1b[2J\n");
  EXPECT_LE(c.nets.size(), 32u);
  EXPECT_FALSE(c.warnings.empty());
  const LxcConfig bad = parse_pct_conf(":\n=\nlxc.\n#%ZZ%\nA: b\n");
  EXPECT_EQ(bad.entries.size(), 0u);
  EXPECT_EQ(bad.description, "%ZZ%\n");
}

TEST(PctConfig, PropertyStringsFollowJsonSchema) {
  const auto p = parse_property_string("local:vm-1,mp=/a,,backup=1", "volume");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].first, "volume");
  EXPECT_EQ(p[0].second, "local:vm-1");
  EXPECT_EQ(print_property_string(p, "volume", true), "local:vm-1,mp=/a,backup=1");
  EXPECT_EQ(parse_pve_boolean("Yes"), true);
  EXPECT_EQ(parse_pve_boolean("off"), false);
  EXPECT_FALSE(parse_pve_boolean("2"));
}

}  // namespace
}  // namespace proxmox
