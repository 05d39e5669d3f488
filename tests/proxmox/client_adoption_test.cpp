// Lost-answer adoption against upstream's task-log order (pve-manager PVE/API2/VZDump.pm
// vzdump worker: PVE::VZDump->new runs the job-init hook, getlock logs "trying to get global
// lock - waiting...", and only exec_backup logs "starting new backup job: <cmdline>").
#include <gtest/gtest.h>

#include "proxmox/client.hpp"
#include "tests/proxmox/fake_transport.hpp"

namespace proxmox {
namespace {

using testing::FakeTransport;
using testing::ok;

const std::string k_upid = "UPID:pve1:003A1F2C:0B2D4E61:67A1B2C3:vzdump:106:smokerbak@pve!agent:";
constexpr std::int64_t k_post_epoch = 1738288800;
const std::string k_marker = "smokerbak:20250131T020000Z";
const std::string k_cmdline = "INFO: starting new backup job: vzdump 106 --notes-template 'prod " +
                              k_marker + "\\n{{guestname}}' --storage local --remove 0";

// A log page of lines `first`.. with the given texts, `total` lines in all.
Result<Response> page(std::int64_t first, const std::vector<std::string>& lines,
                      std::int64_t total) {
  std::string data;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!data.empty()) data += ",";
    data += R"({"n":)" + std::to_string(first + static_cast<std::int64_t>(i)) + R"(,"t":")" +
            lines[i] + R"("})";
  }
  return ok(R"({"total":)" + std::to_string(total) + R"(,"data":[)" + data + "]}");
}

Result<Response> running_task_list() {
  // The active form: unsplit token user, status RUNNING (Tasks.pm node_tasks).
  return ok(R"({"data":[{"upid":")" + k_upid +
            R"(","type":"vzdump","id":"106","user":"smokerbak@pve!agent","status":"RUNNING",)"
            R"("starttime":)" +
            std::to_string(k_post_epoch + 1) + "}]}");
}

Result<Response> status_of(bool running) {
  return ok(
      running
          ? R"({"data":{"status":"running"}})"
          : R"({"data":{"status":"stopped","exitstatus":"can't acquire lock '/var/run/vzdump.lock' - got timeout"}})");
}

class AdoptionTest : public ::testing::Test {
 protected:
  Client make_client(std::chrono::seconds wait = std::chrono::seconds(900)) {
    ClientOptions options;
    options.token_id = "smokerbak@pve!agent";
    options.sleep = [this](std::chrono::milliseconds d) {
      slept.push_back(d);
      fake_now += d;
    };
    options.now = [this] { return fake_now; };
    options.epoch_now = [] { return k_post_epoch; };
    options.adoption_wait = wait;
    return Client(std::make_unique<FakeTransport>(shared), options);
  }
  static VzdumpRequest request() {
    VzdumpRequest req;
    req.vmid = 106;
    req.storage = "local";
    req.log_marker = k_marker;
    return req;
  }
  std::size_t posts() const {
    std::size_t n = 0;
    for (const auto& r : shared.requests) n += r.method == Method::post ? 1 : 0;
    return n;
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

TEST_F(AdoptionTest, HookOutputAndLockWaitBeforeTheCommandLineAreSkipped) {
  shared.answers.push_back(make_error(Error::Kind::transport, "connection reset"));
  shared.answers.push_back(running_task_list());
  shared.answers.push_back(
      page(1,
           {"INFO: job-init: mounting the NAS", "INFO: trying to get global lock - waiting...",
            "INFO: got global lock", k_cmdline},
           4));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(*upid, k_upid);
  EXPECT_EQ(posts(), 1u);
}

TEST_F(AdoptionTest, CommandLineOnTheSecondPageIsFound) {
  shared.answers.push_back(make_error(Error::Kind::transport, "connection reset"));
  shared.answers.push_back(running_task_list());
  shared.answers.push_back(page(1, std::vector<std::string>(50, "INFO: hook chatter"), 60));
  shared.answers.push_back(page(51, {"INFO: hook chatter", k_cmdline}, 60));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(param(2, "start"), "0");
  EXPECT_EQ(param(2, "limit"), "50");
  EXPECT_EQ(param(3, "start"), "50");
  EXPECT_EQ(posts(), 1u);
}

TEST_F(AdoptionTest, TaskWaitingForTheGlobalLockIsWaitedForNotPostedAgain) {
  shared.answers.push_back(make_error(Error::Kind::transport, "connection reset"));
  shared.answers.push_back(running_task_list());
  shared.answers.push_back(page(1, {"INFO: trying to get global lock - waiting..."}, 1));
  // Two polls still waiting, then the lock frees and the job starts.
  for (int i = 0; i < 2; ++i) {
    shared.answers.push_back(status_of(true));
    shared.answers.push_back(page(2, {}, 1));
  }
  shared.answers.push_back(status_of(true));
  shared.answers.push_back(page(2, {"INFO: got global lock", k_cmdline}, 3));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(*upid, k_upid);
  EXPECT_EQ(posts(), 1u);
  EXPECT_TRUE(shared.answers.empty());
}

TEST_F(AdoptionTest, TaskStillWaitingAfterTheBoundIsReportedAndNotPostedAgain) {
  shared.answers.push_back(make_error(Error::Kind::transport, "connection reset"));
  shared.answers.push_back(running_task_list());
  shared.answers.push_back(page(1, {"INFO: trying to get global lock - waiting..."}, 1));
  for (int i = 0; i < 10; ++i) {
    shared.answers.push_back(status_of(true));
    shared.answers.push_back(page(2, {}, 1));
  }
  auto client = make_client(std::chrono::seconds(30));
  auto upid = client.start_vzdump("pve1", request());
  ASSERT_FALSE(upid);
  EXPECT_EQ(upid.error().kind, Error::Kind::transport);
  EXPECT_NE(upid.error().message.find("has not logged its command line"), std::string::npos)
      << upid.error().message;
  EXPECT_NE(upid.error().message.find(k_upid), std::string::npos);
  EXPECT_EQ(posts(), 1u);
}

TEST_F(AdoptionTest, TaskThatGaveUpOnTheLockMadeNothingSoThePostIsRepeated) {
  shared.answers.push_back(make_error(Error::Kind::transport, "connection reset"));
  shared.answers.push_back(running_task_list());
  shared.answers.push_back(page(1, {"INFO: trying to get global lock - waiting..."}, 1));
  shared.answers.push_back(status_of(false));
  shared.answers.push_back(
      page(2, {"ERROR: can't acquire lock '/var/run/vzdump.lock' - got timeout"}, 2));
  shared.answers.push_back(ok(R"({"data":")" + k_upid + R"("})"));
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(posts(), 2u);
}

TEST_F(AdoptionTest, TooMuchOutputBeforeTheCommandLineIsUndecided) {
  shared.answers.push_back(make_error(Error::Kind::transport, "connection reset"));
  shared.answers.push_back(running_task_list());
  for (int p = 0; p < 4; ++p) {
    shared.answers.push_back(
        page(1 + p * 50, std::vector<std::string>(50, "INFO: noisy hook"), 500));
  }
  auto client = make_client();
  auto upid = client.start_vzdump("pve1", request());
  ASSERT_FALSE(upid);
  EXPECT_NE(upid.error().message.find("more than 200 lines"), std::string::npos)
      << upid.error().message;
  EXPECT_EQ(posts(), 1u);
}

}  // namespace
}  // namespace proxmox
