// Issue 14's API side: a restore drill and the coverage preflight, client against simulator.
#include <gtest/gtest.h>

#include "proxmox/pct_config.hpp"
#include "tests/proxmox/sim_fixture.hpp"

namespace proxmox {
namespace {

using testing::ClientIntegrationTest;
using testing::k_start;

constexpr std::int64_t k_scratch = 9106;

class DrillTest : public ClientIntegrationTest {
 protected:
  DrillTest() {
    options.guests[0].config = {
        {"net0",
         "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:01:06,ip=192.0.2.10/24,gw=192.0.2.1,type=veth"},
        {"net1", "name=eth1,bridge=vmbr1,hwaddr=BC:24:11:00:02:06,ip=dhcp,type=veth"},
        {"mp0", "local:106/vm-106-disk-1.raw,mp=/var/lib/mongodb,backup=1,size=8G"},
        {"mp1", "local:106/vm-106-disk-2.raw,mp=/var/cache/big,size=8G"},
        {"onboot", "1"},
        {"tags", "prod"}};
  }
  // Waits for a task; "" when it ended OK, else the error message.
  std::string run(Client& api, const Result<std::string>& upid) {
    if (!upid) return "not started: " + upid.error().message;
    auto done = api.wait_task("pve1", *upid, fast_wait());
    return done ? "" : done.error().message;
  }
};

TEST_F(DrillTest, RestoreIntoAScratchGuestWithEveryInterfaceDownThenBootStopDestroy) {
  start();
  const std::string volid = sim->seed_backup(106, k_start - 3600);
  auto api = client();
  auto in_use = api->vmid_in_use(k_scratch);
  ASSERT_TRUE(in_use) << in_use.error().message;
  ASSERT_FALSE(*in_use);

  auto archived = api->extract_config("pve1", volid);
  ASSERT_TRUE(archived) << archived.error().message;
  ASSERT_EQ(archived->nets.size(), 2u);
  LxcRestoreRequest req;
  req.vmid = k_scratch;
  req.archive = volid;
  req.storage = "local";
  req.nets = drill_network_params(*archived);
  req.tags = "smokerbak-drill";
  req.description = "pve-smokerbak restore drill of " + volid;
  EXPECT_EQ(run(*api, api->restore_container("pve1", req)), "");

  auto restored = api->lxc_config("pve1", k_scratch);
  ASSERT_TRUE(restored) << restored.error().message;
  ASSERT_EQ(restored->nets.size(), 2u);
  for (const auto& net : restored->nets) {
    EXPECT_TRUE(net.link_down()) << net.raw;
    EXPECT_NE(net.get("hwaddr"), archived->nets[static_cast<std::size_t>(net.index)].get("hwaddr"));
  }
  EXPECT_FALSE(restored->flag("onboot"));  // the original's onboot=1 is not restored
  EXPECT_EQ(restored->tags(), "smokerbak-drill");
  // What was sent, as the server received it: link_down=1 on every interface, no unique.
  bool checked = false;
  for (const auto& r : sim->requests()) {
    if (r.method != "POST" || r.path != "/nodes/pve1/lxc") continue;
    checked = true;
    EXPECT_EQ(r.params.count("unique"), 0u);
    EXPECT_NE(r.params.at("net0").find("link_down=1"), std::string::npos);
    EXPECT_NE(r.params.at("net1").find("link_down=1"), std::string::npos);
  }
  EXPECT_TRUE(checked);

  EXPECT_EQ(run(*api, api->start_container("pve1", k_scratch)), "");
  auto status = api->guest_status("pve1", k_scratch);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "running");
  auto busy = api->destroy_container("pve1", k_scratch);
  ASSERT_FALSE(busy);  // refused while running, before any task
  EXPECT_NE(busy.error().message.find("container is running"), std::string::npos);
  EXPECT_EQ(run(*api, api->stop_container("pve1", k_scratch)), "");
  EXPECT_EQ(run(*api, api->destroy_container("pve1", k_scratch)), "");
  in_use = api->vmid_in_use(k_scratch);
  ASSERT_TRUE(in_use);
  EXPECT_FALSE(*in_use);
}

TEST_F(DrillTest, CoveragePreflightReadsWhatVzdumpIncludes) {
  options.guests[0].config.push_back({"mp2", "/srv/shared,mp=/mnt/shared"});
  options.guests[0].config.push_back({"mp3", "/dev/sdb1,mp=/mnt/usb"});
  start();
  auto api = client();
  auto config = api->lxc_config("pve1", 106);
  ASSERT_TRUE(config) << config.error().message;
  std::map<std::string, std::string> reasons;
  for (const auto& m : config->mounts) reasons[m.mp] = m.reason;
  EXPECT_EQ(reasons["/"], "rootfs");
  EXPECT_EQ(reasons["/var/lib/mongodb"], "enabled");
  EXPECT_EQ(reasons["/var/cache/big"], "disabled");
  EXPECT_EQ(reasons["/mnt/shared"], "not a volume");
  EXPECT_EQ(reasons["/mnt/usb"], "not a volume");
}

TEST_F(DrillTest, ForeignScratchVmidIsSeenEvenWithoutVmAudit) {
  options.guests.push_back({k_scratch, "someone-elses", "pve1"});
  options.guests.back().config = {{"tags", "prod;db"}};
  options.tokens = {{pvesim::default_token().token_id,
                     pvesim::default_token().secret,
                     {"VM.Backup", "Datastore.AllocateSpace", "Datastore.Audit"},
                     {{"/vms/106", {"VM.Audit"}}}}};
  start();
  auto api = client();
  // cluster/resources hides it (no VM.Audit on /vms/9106); nextid does not.
  EXPECT_FALSE(api->locate_guest(k_scratch));
  auto in_use = api->vmid_in_use(k_scratch);
  ASSERT_TRUE(in_use) << in_use.error().message;
  EXPECT_TRUE(*in_use);
  auto config = api->lxc_config("pve1", k_scratch);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().kind, Error::Kind::permission);
}

TEST_F(DrillTest, ArchiveWithABindMountCannotBeRestoredByAToken) {
  options.guests[0].config.push_back({"mp2", "/srv/shared,mp=/mnt/shared"});
  start();
  const std::string volid = sim->seed_backup(106, k_start - 3600);
  auto api = client();
  LxcRestoreRequest req;
  req.vmid = k_scratch;
  req.archive = volid;
  req.storage = "local";
  const std::string failure = run(*api, api->restore_container("pve1", req));
  EXPECT_NE(failure.find("restoring 'mp2' to bind mount is only possible for root"),
            std::string::npos)
      << failure;
  EXPECT_FALSE(sim->guest(k_scratch));
}

TEST_F(DrillTest, MissingDrillPrivilegeIsAPermissionError) {
  options.tokens = {{pvesim::default_token().token_id,
                     pvesim::default_token().secret,
                     {"VM.Backup", "VM.Audit", "Datastore.AllocateSpace", "Datastore.Audit"}}};
  start();
  const std::string volid = sim->seed_backup(106, k_start - 3600);
  auto api = client();
  LxcRestoreRequest req;
  req.vmid = k_scratch;
  req.archive = volid;
  req.storage = "local";
  auto upid = api->restore_container("pve1", req);
  ASSERT_FALSE(upid);
  EXPECT_EQ(upid.error().kind, Error::Kind::permission);
  EXPECT_EQ(sim->stats().tasks_started, 0u);
}

}  // namespace
}  // namespace proxmox
