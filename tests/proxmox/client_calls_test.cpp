// Request building and answer handling of the newer client calls, against scripted answers.
#include <gtest/gtest.h>

#include "proxmox/client.hpp"
#include "tests/proxmox/fake_transport.hpp"

namespace proxmox {
namespace {

using testing::FakeTransport;
using testing::ok;
using testing::status;

class CallsTest : public ::testing::Test {
 protected:
  Client make_client() {
    ClientOptions options;
    options.token_id = "smokerbak@pve!agent";
    options.sleep = [](std::chrono::milliseconds) {};
    return Client(std::make_unique<FakeTransport>(shared), options);
  }
  std::string param(std::size_t i, const std::string& key) const {
    for (const auto& [k, v] : shared.requests.at(i).params) {
      if (k == key) return v;
    }
    return "<absent>";
  }
  FakeTransport::Shared shared;
};

TEST_F(CallsTest, ListingEntriesThatLieAboutTheirGuestAreRejected) {
  shared.answers.push_back(ok(R"({"data":[
    {"volid":"local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst","ctime":3,"subtype":"lxc","vmid":106},
    {"volid":"local:backup/../../etc/x.tar","ctime":1,"subtype":"lxc","vmid":106},
    {"volid":"local:backup/vzdump-lxc-107-2025_01_31-02_00_03.tar.zst","ctime":1,"subtype":"lxc","vmid":106},
    {"volid":"local:backup/vzdump-qemu-106-2025_01_31-02_00_03.vma.zst","ctime":1,"subtype":"lxc","vmid":106},
    {"volid":"other:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst","ctime":1,"subtype":"lxc","vmid":106},
    {"volid":"local:backup/vzdump-lxc-106-keep.tar.zst","ctime":2,"subtype":"lxc","vmid":106},
    {"volid":"local:backup/vzdump-qemu-106-2025_01_31-02_00_03.vma.zst","ctime":1,"subtype":"qemu","vmid":106}]})"));
  auto client = make_client();
  auto listing = client.list_backups_checked("pve1", "local", 106);
  ASSERT_TRUE(listing) << listing.error().message;
  ASSERT_EQ(listing->volumes.size(), 2u);
  EXPECT_FALSE(listing->volumes[0].name.standard);  // the renamed one, ctime 2
  EXPECT_TRUE(listing->volumes[1].name.standard);
  ASSERT_EQ(listing->rejected.size(), 4u);
  EXPECT_NE(listing->rejected[0].reason.find("unsafe"), std::string::npos);
  EXPECT_NE(listing->rejected[1].reason.find("guest 107"), std::string::npos);
  EXPECT_NE(listing->rejected[2].reason.find("qemu"), std::string::npos);
  EXPECT_NE(listing->rejected[3].reason.find("storage 'other'"), std::string::npos);
}

TEST_F(CallsTest, VzdumpDefaultsMissingOnOldNodesIsNotAnError) {
  shared.answers.push_back(status(501, "Method 'GET /nodes/pve1/vzdump/defaults' not implemented"));
  auto client = make_client();
  auto d = client.vzdump_defaults("pve1", "local");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(d->has_value());
  EXPECT_EQ(param(0, "storage"), "local");
  EXPECT_EQ(shared.requests[0].path_string(), "/nodes/pve1/vzdump/defaults");
}

TEST_F(CallsTest, VzdumpDefaultsCarryTheMergedRetention) {
  shared.answers.push_back(ok(
      R"({"data":{"storage":"local","prune-backups":"keep-daily=7,keep-last=3","mode":"snapshot",)"
      R"("remove":1,"notification-mode":"auto","compress":"zstd"}})"));
  auto client = make_client();
  auto d = client.vzdump_defaults("pve1", "local");
  ASSERT_TRUE(d && d->has_value());
  EXPECT_EQ((*d)->prune_backups, "keep-daily=7,keep-last=3");
  EXPECT_EQ((*d)->remove, true);
  EXPECT_EQ((*d)->notification_mode, "auto");
}

TEST_F(CallsTest, PermissionErrorOnDefaultsIsAnError) {
  shared.answers.push_back(status(
      403, "Permission check failed (/storage/local, Datastore.Audit|Datastore.AllocateSpace)"));
  auto client = make_client();
  auto d = client.vzdump_defaults("pve1", "local");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind, Error::Kind::permission);
}

TEST_F(CallsTest, VzdumpOptionsArePassedThroughOnlyWhenSet) {
  shared.answers.push_back(ok(R"({"data":"UPID:pve1:1:2:3:vzdump:106:smokerbak@pve!agent:"})"));
  shared.answers.push_back(ok(R"({"data":"UPID:pve1:1:2:3:vzdump:106:smokerbak@pve!agent:"})"));
  auto client = make_client();
  VzdumpRequest req;
  req.vmid = 106;
  req.storage = "pbs";
  ASSERT_TRUE(client.start_vzdump("pve1", req));
  EXPECT_EQ(param(0, "notification-mode"), "<absent>");
  req.notification_mode = "notification-system";
  req.mailto = "ops@example.com";
  req.pbs_change_detection_mode = "metadata";
  ASSERT_TRUE(client.start_vzdump("pve1", req));
  EXPECT_EQ(param(1, "notification-mode"), "notification-system");
  EXPECT_EQ(param(1, "mailto"), "ops@example.com");
  EXPECT_EQ(param(1, "pbs-change-detection-mode"), "metadata");
}

TEST_F(CallsTest, NodeStorageListIsReadAndAMissingOneIsNotFound) {
  shared.answers.push_back(ok(
      R"({"data":[{"storage":"local","type":"dir","content":"backup,iso","shared":0,"active":1,)"
      R"("enabled":1,"total":100,"used":10,"avail":90},)"
      R"({"storage":"pbs","type":"pbs","content":"backup","shared":1,"active":1,"enabled":1}]})"));
  shared.answers.push_back(ok(R"({"data":[]})"));
  auto client = make_client();
  auto pbs = client.node_storage("pve1", "pbs");
  ASSERT_TRUE(pbs) << pbs.error().message;
  EXPECT_EQ(pbs->kind(), StorageKind::pbs);
  EXPECT_TRUE(pbs->shared);
  auto none = client.node_storage("pve1", "pbs");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, Error::Kind::not_found);
  EXPECT_NE(none.error().message.find("Datastore.Audit"), std::string::npos);
}

TEST_F(CallsTest, RestoreSendsUpstreamsParameterNamesOnce) {
  shared.answers.push_back(ok(R"({"data":"UPID:pve1:1:2:3:vzrestore:9106:smokerbak@pve!agent:"})"));
  auto client = make_client();
  LxcRestoreRequest req;
  req.vmid = 9106;
  req.archive = "local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst";
  req.storage = "local-lvm";
  req.pool = "smokerbak-drill";
  req.nets = {{"net0", "name=eth0,bridge=vmbr0,link_down=1"}};
  req.tags = "smokerbak-drill";
  req.description = "drill";
  auto upid = client.restore_container("pve1", req);
  ASSERT_TRUE(upid) << upid.error().message;
  const auto& r = shared.requests[0];
  EXPECT_EQ(r.method, Method::post);
  EXPECT_FALSE(r.idempotent);
  EXPECT_EQ(r.path_string(), "/nodes/pve1/lxc");
  EXPECT_EQ(param(0, "restore"), "1");
  EXPECT_EQ(param(0, "ostemplate"), req.archive);
  EXPECT_EQ(param(0, "vmid"), "9106");
  EXPECT_EQ(param(0, "storage"), "local-lvm");
  EXPECT_EQ(param(0, "unique"), "<absent>");
  EXPECT_EQ(param(0, "start"), "0");
  EXPECT_EQ(param(0, "onboot"), "0");
  EXPECT_EQ(param(0, "protection"), "0");
  EXPECT_EQ(param(0, "pool"), "smokerbak-drill");
  EXPECT_EQ(param(0, "net0"), "name=eth0,bridge=vmbr0,link_down=1");
  EXPECT_EQ(param(0, "tags"), "smokerbak-drill");
}

TEST_F(CallsTest, StartStopDestroyPathsAndParameters) {
  for (const char* type : {"vzstart", "vzstop", "vzdestroy"}) {
    shared.answers.push_back(
        ok(std::string(R"({"data":"UPID:pve1:1:2:3:)") + type + R"(:9106:smokerbak@pve!agent:"})"));
  }
  auto client = make_client();
  ASSERT_TRUE(client.start_container("pve1", 9106));
  ASSERT_TRUE(client.stop_container("pve1", 9106));
  ASSERT_TRUE(client.destroy_container("pve1", 9106));
  EXPECT_EQ(shared.requests[0].path_string(), "/nodes/pve1/lxc/9106/status/start");
  EXPECT_EQ(shared.requests[1].path_string(), "/nodes/pve1/lxc/9106/status/stop");
  EXPECT_EQ(shared.requests[2].method, Method::del);
  EXPECT_EQ(param(2, "purge"), "1");
  EXPECT_EQ(param(2, "destroy-unreferenced-disks"), "1");
}

TEST_F(CallsTest, NextidTellsWhetherAVmidIsTaken) {
  shared.answers.push_back(ok(R"({"data":"9106"})"));  // the parameter echoed, a string
  shared.answers.push_back(status(400, "Parameter verification failed.",
                                  R"({"data":null,"errors":{"vmid":"VM 9106 already exists"}})"));
  auto client = make_client();
  auto free_id = client.vmid_in_use(9106);
  ASSERT_TRUE(free_id) << free_id.error().message;
  EXPECT_FALSE(*free_id);
  auto taken = client.vmid_in_use(9106);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_TRUE(*taken);
  EXPECT_EQ(shared.requests[0].path_string(), "/cluster/nextid");
}

TEST_F(CallsTest, ExtractconfigIsParsed) {
  shared.answers.push_back(ok(
      R"({"data":"arch: amd64\nhostname: ct\nnet0: name=eth0,bridge=vmbr0,ip=dhcp\nmp0: /srv,mp=/srv\n"})"));
  auto client = make_client();
  auto c = client.extract_config("pve1", "local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->hostname(), "ct");
  ASSERT_EQ(c->nets.size(), 1u);
  EXPECT_EQ(param(0, "volume"), "local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst");
}

}  // namespace
}  // namespace proxmox
