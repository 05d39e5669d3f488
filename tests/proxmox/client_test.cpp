#include <gtest/gtest.h>

#include "proxmox/client.hpp"
#include "tests/proxmox/fake_transport.hpp"

namespace proxmox {
namespace {

using testing::FakeTransport;
using testing::ok;
using testing::status;

const std::string k_upid = "UPID:pve1:003A1F2C:0B2D4E61:67A1B2C3:vzdump:106:smokerbak@pve!agent:";
constexpr std::int64_t k_post_epoch = 1738288800;  // the agent's clock when it sends the POST

class ClientTest : public ::testing::Test {
 protected:
  Client make_client() {
    ClientOptions options;
    options.token_id = "smokerbak@pve!agent";
    options.sleep = [this](std::chrono::milliseconds d) {
      slept.push_back(d);
      fake_now += d;
    };
    options.now = [this] { return fake_now; };
    options.epoch_now = [] { return k_post_epoch; };
    return Client(std::make_unique<FakeTransport>(shared), options);
  }
  static VzdumpRequest backup_request(std::string marker = "") {
    VzdumpRequest req;
    req.vmid = 106;
    req.storage = "local";
    req.log_marker = std::move(marker);
    return req;
  }
  // A GET /nodes/pve1/tasks answer with one vzdump task of the agent's token.
  static Result<Response> task_list(std::int64_t starttime, bool finished) {
    return ok(R"({"data":[{"upid":")" + k_upid +
              R"(","type":"vzdump","id":"106","user":"smokerbak@pve","tokenid":"agent",)"
              R"("starttime":)" +
              std::to_string(starttime) + (finished ? R"(,"status":"OK","endtime":1})" : "}") +
              "]}");
  }
  std::string param(std::size_t i, const std::string& key) const {
    for (const auto& [k, v] : shared.requests.at(i).params) {
      if (k == key) return v;
    }
    return "<absent>";
  }

  FakeTransport::Shared shared;
  std::vector<std::chrono::milliseconds> slept;
  std::chrono::steady_clock::time_point fake_now{};
};

TEST_F(ClientTest, LocateGuestFindsTheNodeFromClusterResources) {
  shared.answers.push_back(ok(
      R"({"data":[{"id":"lxc/105","vmid":105,"node":"pve1","type":"lxc","status":"running"},)"
      R"({"id":"lxc/106","vmid":106,"node":"pve2","type":"lxc","status":"running","lock":"backup"}]})"));
  auto client = make_client();
  auto guest = client.locate_guest(106);
  ASSERT_TRUE(guest) << guest.error().message;
  EXPECT_EQ(guest->node, "pve2");
  EXPECT_EQ(guest->lock, "backup");
  EXPECT_EQ(shared.requests[0].path_string(), "/cluster/resources");
  EXPECT_EQ(param(0, "type"), "vm");
}

TEST_F(ClientTest, LocateGuestMissingIsNotFoundMentioningVmAudit) {
  shared.answers.push_back(ok(R"({"data":[]})"));
  auto client = make_client();
  auto guest = client.locate_guest(106);
  ASSERT_FALSE(guest);
  EXPECT_EQ(guest.error().kind, Error::Kind::not_found);
  EXPECT_NE(guest.error().message.find("VM.Audit"), std::string::npos);
}

TEST_F(ClientTest, StartVzdumpSendsTheAgentsParametersAsAPostThatIsNotIdempotent) {
  shared.answers.push_back(ok(R"({"data":")" + k_upid + R"("})"));
  auto client = make_client();
  VzdumpRequest req;
  req.vmid = 106;
  req.storage = "local";
  req.notes_template = "prod smokerbak:20251207T010002Z\\n{{guestname}}";
  auto upid = client.start_vzdump("pve1", req);
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(*upid, k_upid);
  const auto& r = shared.requests[0];
  EXPECT_EQ(r.method, Method::post);
  EXPECT_FALSE(r.idempotent);
  EXPECT_EQ(r.path_string(), "/nodes/pve1/vzdump");
  EXPECT_EQ(param(0, "vmid"), "106");
  EXPECT_EQ(param(0, "mode"), "snapshot");
  EXPECT_EQ(param(0, "storage"), "local");
  EXPECT_EQ(param(0, "compress"), "zstd");
  EXPECT_EQ(param(0, "remove"), "0");
  EXPECT_EQ(param(0, "notes-template"), "prod smokerbak:20251207T010002Z\\n{{guestname}}");
}

TEST_F(ClientTest, VzdumpAnsweringOkMeansGuestNotOnThisNode) {
  shared.answers.push_back(ok(R"({"data":"OK"})"));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", backup_request());
  ASSERT_FALSE(upid);
  EXPECT_EQ(upid.error().kind, Error::Kind::not_found);
  EXPECT_NE(upid.error().message.find("not on that node"), std::string::npos);
  EXPECT_EQ(shared.requests.size(), 1u);
}

TEST_F(ClientTest, LostVzdumpAnswerAdoptsOwnRunningTaskInsteadOfPostingAgain) {
  shared.answers.push_back(make_error(Error::Kind::transport, "connection reset"));
  shared.answers.push_back(task_list(k_post_epoch + 1, false));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", backup_request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(*upid, k_upid);
  ASSERT_EQ(shared.requests.size(), 2u);
  EXPECT_EQ(shared.requests[1].path_string(), "/nodes/pve1/tasks");
  EXPECT_EQ(param(1, "typefilter"), "vzdump");
  EXPECT_EQ(param(1, "vmid"), "106");
  // Finished tasks too, from just before the POST (60 s slack for clock skew between nodes).
  EXPECT_EQ(param(1, "source"), "all");
  EXPECT_EQ(param(1, "since"), std::to_string(k_post_epoch - 60));
  ASSERT_EQ(slept.size(), 1u);  // waited before looking, so a proxied POST could land
}

TEST_F(ClientTest, LostVzdumpAnswerAdoptsAnAlreadyFinishedTaskWhoseLogCarriesTheMarker) {
  shared.answers.push_back(status(596, "Connection timed out"));
  shared.answers.push_back(task_list(k_post_epoch + 1, true));
  shared.answers.push_back(
      ok(R"({"total":20,"data":[{"n":1,"t":"INFO: starting new backup job: vzdump 106 )"
         R"(--notes-template 'prod smokerbak:20250131T020000Z\n{{guestname}}' --remove 0"}]})"));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", backup_request("smokerbak:20250131T020000Z"));
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(*upid, k_upid);
  ASSERT_EQ(shared.requests.size(), 3u);
  EXPECT_EQ(shared.requests[2].path_string(), "/nodes/pve1/tasks/" + k_upid + "/log");
  EXPECT_EQ(param(2, "start"), "0");
  EXPECT_EQ(param(2, "limit"), "50");  // a page: hook output may come before the line
}

TEST_F(ClientTest, LostVzdumpAnswerIgnoresATaskOfAnotherRunAndPostsAgain) {
  shared.answers.push_back(make_error(Error::Kind::transport, "connection reset"));
  shared.answers.push_back(task_list(k_post_epoch - 30, true));
  shared.answers.push_back(
      ok(R"({"total":20,"data":[{"n":1,"t":"INFO: starting new backup job: vzdump 106 )"
         R"(--notes-template 'prod smokerbak:20250131T015930Z'"}]})"));
  shared.answers.push_back(ok(R"({"data":")" + k_upid + R"("})"));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", backup_request("smokerbak:20250131T020000Z"));
  ASSERT_TRUE(upid) << upid.error().message;
  ASSERT_EQ(shared.requests.size(), 4u);
  EXPECT_EQ(shared.requests[3].method, Method::post);
}

TEST_F(ClientTest, LostVzdumpAnswerIgnoresTasksOfOtherTokensAndOlderTasks) {
  shared.answers.push_back(status(503, "Service Unavailable"));
  shared.answers.push_back(
      ok(R"({"data":[{"upid":"UPID:pve1:1:2:3:vzdump:106:root@pam:","type":"vzdump","id":"106",)"
         R"("user":"root@pam","starttime":1738288801},)"
         R"({"upid":")" +
         k_upid +
         R"(","type":"vzdump","id":"106","user":"smokerbak@pve","tokenid":"agent",)"
         R"("starttime":1738200000,"status":"OK","endtime":1738200100}]})"));
  shared.answers.push_back(ok(R"({"data":")" + k_upid + R"("})"));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", backup_request());
  ASSERT_TRUE(upid) << upid.error().message;
  ASSERT_EQ(shared.requests.size(), 3u);
  EXPECT_EQ(shared.requests[1].method, Method::get);
  EXPECT_EQ(shared.requests[2].method, Method::post);
}

TEST_F(ClientTest, LostVzdumpAnswerIsNotRepostedWhenTheTaskListCannotBeRead) {
  shared.answers.push_back(make_error(Error::Kind::transport, "connection reset"));
  shared.answers.push_back(status(403, "Permission check failed (/nodes/pve1, Sys.Audit)"));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", backup_request());
  ASSERT_FALSE(upid);
  EXPECT_EQ(upid.error().kind, Error::Kind::transport);
  EXPECT_NE(upid.error().message.find("not started again"), std::string::npos)
      << upid.error().message;
  EXPECT_EQ(shared.requests.size(), 2u);
}

TEST_F(ClientTest, VzdumpParameterErrorIsNotRetried) {
  shared.answers.push_back(status(400, "Parameter verification failed.",
                                  R"({"data":null,"errors":{"vmid":"invalid format"}})"));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", backup_request());
  ASSERT_FALSE(upid);
  EXPECT_EQ(upid.error().http_status, 400);
  EXPECT_EQ(shared.requests.size(), 1u);
}

TEST_F(ClientTest, VzdumpRefusedWith500IsNeitherRetriedNorLookedUp) {
  // The handler's own refusal: no task started, so no task-list search and no second POST.
  shared.answers.push_back(status(500, "storage 'backup' is not online"));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", backup_request());
  ASSERT_FALSE(upid);
  EXPECT_EQ(upid.error().http_status, 500);
  EXPECT_EQ(shared.requests.size(), 1u);
  EXPECT_TRUE(slept.empty());
}

TEST_F(ClientTest, IdempotentGetIsRetriedWithBackoffOnTransientFailures) {
  shared.answers.push_back(status(596, "Connection timed out"));
  shared.answers.push_back(make_error(Error::Kind::transport, "connection refused"));
  shared.answers.push_back(ok(R"({"data":{"version":"9.2.11","release":"9.2","repoid":"x"}})"));
  auto client = make_client();
  auto v = client.version();
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->version, "9.2.11");
  ASSERT_EQ(slept.size(), 2u);
  EXPECT_LT(slept[0], slept[1]);
  EXPECT_EQ(client.stats().requests, 3u);
}

TEST_F(ClientTest, ReadsRetryA500ThatGoesAway) {
  // "storage 'local' is not online" while its NFS server reboots.
  shared.answers.push_back(status(500, "storage 'local' is not online"));
  shared.answers.push_back(ok(R"({"data":[]})"));
  auto client = make_client();
  auto list = client.list_backups("pve1", "local", 106);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(shared.requests.size(), 2u);
  EXPECT_EQ(slept.size(), 1u);
}

TEST_F(ClientTest, AdvisoryPrunePreviewIsAskedOnceEvenOnA500) {
  shared.answers.push_back(
      status(500, "no prune-backups options configured for storage 'local'", R"({"data":null})"));
  auto client = make_client();
  auto marks = client.storage_prune_preview("pve1", "local", 106);
  ASSERT_FALSE(marks);
  EXPECT_EQ(marks.error().http_status, 500);
  EXPECT_NE(marks.error().message.find("no prune-backups options"), std::string::npos);
  EXPECT_EQ(shared.requests.size(), 1u);
  EXPECT_TRUE(slept.empty());
}

TEST_F(ClientTest, AuthAndPermissionFailuresAreNotRetried) {
  shared.answers.push_back(status(401, "Authentication failed!"));
  auto client = make_client();
  auto v = client.version();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, Error::Kind::auth);
  EXPECT_EQ(shared.requests.size(), 1u);
  EXPECT_TRUE(slept.empty());
}

TEST_F(ClientTest, WaitTaskStreamsNewLogLinesOnceAndMapsWarnings) {
  // poll 1: running, two lines; poll 2: stopped, a third line.
  shared.answers.push_back(ok(R"({"data":{"status":"running","upid":"u"}})"));
  shared.answers.push_back(
      ok(R"({"total":2,"data":[{"n":1,"t":"INFO: a"},{"n":2,"t":"INFO: b"}]})"));
  shared.answers.push_back(ok(R"({"data":{"status":"stopped","exitstatus":"WARNINGS: 2"}})"));
  shared.answers.push_back(ok(R"({"total":3,"data":[{"n":3,"t":"TASK WARNINGS: 2"}]})"));
  auto client = make_client();
  std::vector<std::string> lines;
  WaitOptions options;
  options.on_log_line = [&](const std::string& l) { lines.push_back(l); };
  auto result = client.wait_task("pve1", k_upid, options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->warnings, 2);
  EXPECT_EQ(lines, (std::vector<std::string>{"INFO: a", "INFO: b", "TASK WARNINGS: 2"}));
  EXPECT_EQ(param(3, "start"), "2");
  EXPECT_EQ(client.stats().polls, 4u);
}

TEST_F(ClientTest, WaitTaskFailedExitStatusCarriesTheErrorText) {
  shared.answers.push_back(ok(R"({"data":{"status":"stopped","exitstatus":"job errors"}})"));
  shared.answers.push_back(ok(
      R"j({"total":2,"data":[{"n":1,"t":"ERROR: Backup of VM 106 failed - CT is locked (backup)"},)j"
      R"({"n":2,"t":"TASK ERROR: job errors"}]})"));
  auto client = make_client();
  auto result = client.wait_task("pve1", k_upid, WaitOptions{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, Error::Kind::task_failed);
  EXPECT_NE(result.error().message.find("job errors"), std::string::npos);
  EXPECT_NE(result.error().message.find("CT is locked (backup)"), std::string::npos);
}

TEST_F(ClientTest, WaitTaskTimeoutStopsTheTask) {
  for (int i = 0; i < 3; ++i) {
    shared.answers.push_back(ok(R"({"data":{"status":"running"}})"));
    shared.answers.push_back(ok(R"({"total":1,"data":[{"n":1,"t":"no content"}]})"));
  }
  shared.answers.push_back(ok(R"({"data":null})"));  // DELETE task
  auto client = make_client();
  WaitOptions options;
  options.timeout = std::chrono::seconds(1);
  options.first_poll = std::chrono::milliseconds(400);
  auto result = client.wait_task("pve1", k_upid, options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, Error::Kind::timeout);
  EXPECT_EQ(shared.requests.back().method, Method::del);
  EXPECT_EQ(shared.requests.back().path_string(), "/nodes/pve1/tasks/" + k_upid);
}

TEST_F(ClientTest, ListBackupsKeepsOnlyTheLxcGroupSortedByCtime) {
  shared.answers.push_back(ok(R"({"data":[
    {"volid":"local:backup/vzdump-lxc-106-2025_02_01-02_00_03.tar.zst","ctime":20,"subtype":"lxc","vmid":106},
    {"volid":"local:backup/vzdump-qemu-106-2025_01_01-02_00_03.vma.zst","ctime":5,"subtype":"qemu","vmid":106},
    {"volid":"local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst","ctime":10,"subtype":"lxc","vmid":106}]})"));
  auto client = make_client();
  auto list = client.list_backups("pve1", "local", 106);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].ctime, 10);
  EXPECT_EQ((*list)[1].ctime, 20);
  EXPECT_EQ(param(0, "content"), "backup");
  EXPECT_EQ(param(0, "vmid"), "106");
}

TEST_F(ClientTest, VolumeOperationsKeepTheVolidAsOnePathSegment) {
  const std::string volid = "local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst";
  shared.answers.push_back(ok(R"({"data":null})"));
  auto client = make_client();
  VolumeUpdate update;
  update.notes = "line1\nline2";
  ASSERT_TRUE(client.update_volume("pve1", "local", volid, update));
  const auto& r = shared.requests[0];
  EXPECT_EQ(r.method, Method::put);
  ASSERT_EQ(r.path.size(), 6u);
  EXPECT_EQ(r.path[5], volid);
  EXPECT_EQ(param(0, "notes"), "line1\nline2");
  EXPECT_EQ(param(0, "protected"), "<absent>");
}

TEST_F(ClientTest, DeleteOfProtectedVolumeFailsThroughItsImgdelTask) {
  const std::string volid = "local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst";
  shared.answers.push_back(
      ok(R"({"data":"UPID:pve1:00000001:00000002:67A1B2C3:imgdel:106@local:root@pam:"})"));
  shared.answers.push_back(ok(
      R"({"data":{"status":"stopped","exitstatus":"cannot remove protected volume 'backup/x' on 'local'"}})"));
  shared.answers.push_back(ok(
      R"({"total":1,"data":[{"n":1,"t":"TASK ERROR: cannot remove protected volume 'backup/x' on 'local'"}]})"));
  auto client = make_client();
  auto result = client.delete_volume("pve1", "local", volid, WaitOptions{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, Error::Kind::task_failed);
  EXPECT_NE(result.error().message.find("cannot remove protected volume"), std::string::npos);
  EXPECT_EQ(shared.requests[0].method, Method::del);
  EXPECT_FALSE(shared.requests[0].idempotent);
}

}  // namespace
}  // namespace proxmox
