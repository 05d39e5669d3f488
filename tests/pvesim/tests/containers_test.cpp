// Restore drills at the wire level: restore, start, stop, destroy, extractconfig, nextid and
// the privileges upstream checks (pve-container src/PVE/API2/LXC.pm, LXC/Create.pm).
#include "tests/pvesim/tests/sim_fixture.hpp"

namespace pvesim::testing {
namespace {

constexpr const char* k_drill_net = "name=eth0,bridge=vmbr0,ip=192.0.2.10/24,type=veth,link_down=1";

Options with_config(Options o, std::vector<std::pair<std::string, std::string>> config) {
  o.guests[0].config = std::move(config);
  return o;
}

std::string finish(SimTest& t, Simulator& sim, SimClient& c, const std::string& upid) {
  (void)t;
  sim.advance(10);
  return c.get("/nodes/pve1/tasks/" + upid + "/status").json["data"].value("exitstatus", "");
}

class ContainersTest : public SimTest {
 protected:
  std::string seed() { return sim->seed_backup(106, k_start - 3600); }
  HttpResult restore(const std::string& volid, std::map<std::string, std::string> extra = {}) {
    extra.emplace("vmid", "9106");
    extra.emplace("ostemplate", volid);
    extra.emplace("restore", "1");
    extra.emplace("storage", "local");
    return client->post("/nodes/pve1/lxc", extra);
  }
  std::string config_value(std::int64_t vmid, const std::string& key) {
    for (const auto& [k, v] : sim->guest_config(vmid)) {
      if (k == key) return v;
    }
    return "<absent>";
  }
};

TEST_F(ContainersTest, ArchiveCarriesTheConfigAndExtractconfigReturnsIt) {
  start(with_config(base_options(),
                    {{"mp0", "/srv/data,mp=/data"}, {"description", "prod: db\nsecond"}}));
  const std::string volid = seed();
  const auto r = client->get("/nodes/pve1/vzdump/extractconfig", {{"volume", volid}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string text = r.json["data"];
  EXPECT_EQ(text.rfind("#prod%3A db\n#second\n", 0), 0u) << text;  // encode_text
  EXPECT_NE(text.find("\nhostname: smartsmoker-cloud\n"), std::string::npos);
  EXPECT_NE(text.find("\nmp0: /srv/data,mp=/data\n"), std::string::npos);
}

TEST_F(ContainersTest, RestoreWithLinkDownThenStartStopDestroy) {
  start();
  const std::string volid = seed();
  EXPECT_EQ(client->get("/cluster/nextid", {{"vmid", "9106"}}).json["data"], "9106");
  auto r = restore(volid, {{"net0", k_drill_net},
                           {"onboot", "0"},
                           {"tags", "smokerbak-drill"},
                           {"description", "drill copy"},
                           {"start", "0"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string upid = r.json["data"];
  EXPECT_NE(upid.find(":vzrestore:9106:"), std::string::npos);
  EXPECT_EQ(sim->guest_lock(9106), "create");  // create_and_lock_config
  EXPECT_EQ(client->get("/cluster/nextid", {{"vmid", "9106"}}).json["errors"]["vmid"],
            "VM 9106 already exists");
  EXPECT_EQ(finish(*this, *sim, *client, upid), "OK");
  EXPECT_EQ(sim->guest_lock(9106), "");
  const std::string net0 = config_value(9106, "net0");
  EXPECT_NE(net0.find("link_down=1"), std::string::npos) << net0;
  EXPECT_NE(net0.find("hwaddr=BC:24:11:"), std::string::npos) << net0;  // a new MAC
  EXPECT_EQ(config_value(9106, "onboot"), "0");
  EXPECT_EQ(config_value(9106, "tags"), "smokerbak-drill");
  EXPECT_EQ(config_value(9106, "rootfs").rfind("local:vm-9106-disk-0", 0), 0u);
  EXPECT_EQ(config_value(9106, "hostname"), "smartsmoker-cloud");
  // The request as sent is on record.
  bool recorded = false;
  for (const auto& req : sim->requests()) {
    if (req.method == "POST" && req.path == "/nodes/pve1/lxc") {
      recorded = req.params.at("net0") == k_drill_net;
    }
  }
  EXPECT_TRUE(recorded);

  r = client->post("/nodes/pve1/lxc/9106/status/start", {});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(finish(*this, *sim, *client, r.json["data"]), "OK");
  EXPECT_EQ(client->get("/nodes/pve1/lxc/9106/status/current").json["data"]["status"], "running");
  EXPECT_EQ(client->post("/nodes/pve1/lxc/9106/status/start", {}).reason,
            "CT 9106 already running");
  r = client->del("/nodes/pve1/lxc/9106", {{"purge", "1"}, {"destroy-unreferenced-disks", "1"}});
  EXPECT_EQ(r.reason, "unable to destroy CT 9106 - container is running");
  r = client->post("/nodes/pve1/lxc/9106/status/stop", {});
  EXPECT_EQ(finish(*this, *sim, *client, r.json["data"]), "OK");
  r = client->del("/nodes/pve1/lxc/9106", {{"purge", "1"}, {"destroy-unreferenced-disks", "1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(finish(*this, *sim, *client, r.json["data"]), "OK");
  EXPECT_FALSE(sim->guest(9106));
  EXPECT_EQ(client->get("/cluster/nextid", {{"vmid", "9106"}}).status, 200);
}

TEST_F(ContainersTest, UniqueReplacesGivenNetworksWithTheArchivedOnes) {
  // Create.pm sanitize_and_merge_config: with unique, every archived netN comes back with a
  // new MAC, whatever the request gave (link_down=1 is lost).
  start();
  const auto r = restore(seed(), {{"unique", "1"}, {"net0", k_drill_net}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(finish(*this, *sim, *client, r.json["data"]), "OK");
  EXPECT_EQ(config_value(9106, "net0").find("link_down"), std::string::npos);
}

TEST_F(ContainersTest, ArchivedOnbootAndProtectionComeBackUnlessGiven) {
  start(with_config(base_options(), {{"onboot", "1"}, {"protection", "1"}}));
  const auto r = restore(seed());
  EXPECT_EQ(finish(*this, *sim, *client, r.json["data"]), "OK");
  EXPECT_EQ(config_value(9106, "onboot"), "1");
  const auto del = client->del("/nodes/pve1/lxc/9106", {});
  EXPECT_EQ(del.reason, "can't remove CT 9106 - protection mode enabled");
}

TEST_F(ContainersTest, BindMountInTheArchiveFailsTheRestoreForATokenAndLeavesNothing) {
  start(with_config(base_options(), {{"mp0", "/srv/data,mp=/data"}}));
  const auto r = restore(seed());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(finish(*this, *sim, *client, r.json["data"]),
            "unable to restore CT 9106 - restoring 'mp0' to bind mount is only possible for root");
  EXPECT_FALSE(sim->guest(9106));
}

TEST_F(ContainersTest, VmidInUseAnywhereIsRefusedBeforeAnyTask) {
  start();
  const auto r = client->post(
      "/nodes/pve1/lxc",
      {{"vmid", "106"}, {"ostemplate", seed()}, {"restore", "1"}, {"storage", "local"}});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.reason, "CT 106 already exists on node 'pve1'");
  EXPECT_EQ(sim->stats().tasks_started, 0u);
  EXPECT_EQ(
      client->post("/nodes/pve1/lxc", {{"vmid", "9106"}, {"unique", "1"}, {"ostemplate", "x"}})
          .json["errors"]["restore"],
      "missing property required by 'unique'");
}

TEST_F(ContainersTest, PoolPrivilegesSurviveTheDestroyButVmidAclsDoNot) {
  Options o = base_options();
  o.pools = {"drill"};
  const std::set<std::string> drill_role{"VM.Allocate",  "VM.Config.Network", "VM.Config.Options",
                                         "VM.PowerMgmt", "VM.Audit",          "VM.Config.Disk"};
  o.tokens = {{"smokerbak@pve!agent",
               "s",
               {"VM.Backup", "VM.Audit", "Datastore.AllocateSpace", "Datastore.Audit"},
               {{"/pool/drill", drill_role}}},
              {"vmacl@pve!agent",
               "s",
               {"VM.Backup", "VM.Audit", "Datastore.AllocateSpace", "Datastore.Audit"},
               {{"/vms/9107", drill_role}}}};
  start(o);
  SimClient pool_token(*sim, "smokerbak@pve!agent", "s");
  SimClient vm_token(*sim, "vmacl@pve!agent", "s");
  const std::string volid = seed();
  for (int round = 0; round < 2; ++round) {
    auto r = pool_token.post("/nodes/pve1/lxc", {{"vmid", "9106"},
                                                 {"ostemplate", volid},
                                                 {"restore", "1"},
                                                 {"storage", "local"},
                                                 {"pool", "drill"},
                                                 {"net0", k_drill_net}});
    ASSERT_EQ(r.status, 200) << round << r.body;
    EXPECT_EQ(finish(*this, *sim, pool_token, r.json["data"]), "OK");
    r = pool_token.del("/nodes/pve1/lxc/9106", {{"purge", "1"}});
    ASSERT_EQ(r.status, 200) << round << r.body;
    EXPECT_EQ(finish(*this, *sim, pool_token, r.json["data"]), "OK");
  }
  // Without the pool: needs VM.Allocate on /vms/<vmid> itself.
  auto r = pool_token.post(
      "/nodes/pve1/lxc",
      {{"vmid", "9106"}, {"ostemplate", volid}, {"restore", "1"}, {"storage", "local"}});
  EXPECT_EQ(r.status, 403);
  // An ACL on /vms/9107 works once: destroying 9107 removes it (remove_vm_access).
  r = vm_token.post(
      "/nodes/pve1/lxc",
      {{"vmid", "9107"}, {"ostemplate", volid}, {"restore", "1"}, {"storage", "local"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(finish(*this, *sim, vm_token, r.json["data"]), "OK");
  r = vm_token.del("/nodes/pve1/lxc/9107", {});
  EXPECT_EQ(finish(*this, *sim, vm_token, r.json["data"]), "OK");
  r = vm_token.post(
      "/nodes/pve1/lxc",
      {{"vmid", "9107"}, {"ostemplate", volid}, {"restore", "1"}, {"storage", "local"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.reason, "Permission check failed");
}

TEST_F(ContainersTest, ReadingAnotherGuestsBackupNeedsVmBackupOnItsOwner) {
  Options o = base_options();
  o.tokens = {{"t@pve!drill", "s", {"Datastore.AllocateSpace", "VM.Allocate", "VM.Audit"}}};
  start(o);
  SimClient c(*sim, "t@pve!drill", "s");
  const std::string volid = seed();
  const auto r =
      c.post("/nodes/pve1/lxc",
             {{"vmid", "9106"}, {"ostemplate", volid}, {"restore", "1"}, {"storage", "local"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.reason, "Permission check failed (/vms/106, VM.Backup)");
  EXPECT_EQ(c.get("/nodes/pve1/vzdump/extractconfig", {{"volume", volid}}).reason,
            "Permission check failed (/vms/106, VM.Backup)");
}

TEST_F(ContainersTest, ConfigShowsMountsTagsAndRawLxcKeys) {
  start(with_config(base_options(),
                    {{"mp0", "local:106/vm-106-disk-1.raw,mp=/var/lib/mongodb,backup=1,size=8G"},
                     {"mp1", "/srv/shared,mp=/mnt/shared"},
                     {"mp2", "/dev/sdb1,mp=/mnt/usb"},
                     {"mp3", "local:106/vm-106-disk-2.raw,mp=/cache,size=8G"},
                     {"tags", "prod"},
                     {"lxc.mount.entry", "/srv/x srv/x none bind 0 0"}}));
  const auto cfg = client->get("/nodes/pve1/lxc/106/config").json["data"];
  EXPECT_EQ(cfg["mp1"], "/srv/shared,mp=/mnt/shared");
  EXPECT_EQ(cfg["cores"], 2);
  EXPECT_EQ(cfg["lxc"][0][0], "lxc.mount.entry");
  EXPECT_EQ(client->get("/cluster/resources", {{"type", "vm"}}).json["data"][0]["tags"], "prod");
}

}  // namespace
}  // namespace pvesim::testing
