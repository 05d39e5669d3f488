// vzdump and task behaviour against docs/proxmox-api.md sections 3, 5 and 11.
#include <regex>

#include "tests/pvesim/tests/sim_fixture.hpp"

namespace pvesim::testing {
namespace {

TEST_F(SimTest, VzdumpReturnsUpidInPveFormatOwnedByTheToken) {
  start();
  const std::string upid = start_backup();
  const std::regex shape(
      R"(^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:([0-9A-F]{8}):vzdump:106:smokerbak@pve!agent:$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(upid, m, shape)) << upid;
  EXPECT_EQ(std::stoll(m[1].str(), nullptr, 16), k_start);
  const auto st = task_status(upid);
  EXPECT_EQ(st["user"], "smokerbak@pve");
  EXPECT_EQ(st["tokenid"], "agent");
  EXPECT_EQ(st["starttime"], k_start);
  EXPECT_EQ(st["type"], "vzdump");
}

TEST_F(SimTest, VzdumpForGuestOnAnotherNodeReturnsOkAndStartsNothing) {
  Options o = base_options();
  o.nodes = {"pve1", "pve2"};
  start(o);
  const auto r = client->post("/nodes/pve2/vzdump", {{"vmid", "106"}, {"storage", "local"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json["data"], "OK");
  EXPECT_EQ(sim->stats().tasks_started, 0u);
}

TEST_F(SimTest, TaskRunsWhileClockIsBeforeItsEndThenStopsOkWithArchive) {
  start();
  const std::string upid = start_backup();
  auto st = task_status(upid);
  EXPECT_EQ(st["status"], "running");
  EXPECT_FALSE(st.contains("exitstatus"));
  EXPECT_EQ(sim->guest_lock(106), "backup");
  EXPECT_TRUE(sim->volids().empty());  // the archive appears only after completion
  sim->advance(2);
  st = task_status(upid);
  EXPECT_EQ(st["status"], "stopped");
  EXPECT_EQ(st["exitstatus"], "OK");
  EXPECT_EQ(sim->guest_lock(106), "");
  ASSERT_EQ(sim->volids().size(), 1u);
  EXPECT_EQ(sim->volids()[0], "local:backup/vzdump-lxc-106-2026_01_15-02_00_00.tar.zst");
  const auto dir = sim->storage_dir();
  EXPECT_EQ(count_tar_members_zst(dir / "vzdump-lxc-106-2026_01_15-02_00_00.tar.zst"),
            9);  // pct.conf first
  EXPECT_TRUE(std::filesystem::exists(dir / "vzdump-lxc-106-2026_01_15-02_00_00.log"));
}

TEST_F(SimTest, TaskLogIsPaginatedWithTotalAndEndsWithTaskOk) {
  start();
  const std::string upid = start_backup();
  sim->advance(5);
  const auto all = client->get("/nodes/pve1/tasks/" + upid + "/log", {{"limit", "0"}});
  const auto total = all.json["total"].get<int>();
  ASSERT_GT(total, 10);
  ASSERT_EQ(all.json["data"].size(), static_cast<std::size_t>(total));
  EXPECT_EQ(all.json["data"][total - 1]["t"], "TASK OK");
  EXPECT_EQ(all.json["data"][0]["n"], 1);
  const auto page =
      client->get("/nodes/pve1/tasks/" + upid + "/log", {{"start", "3"}, {"limit", "2"}});
  EXPECT_EQ(page.json["total"], total);
  ASSERT_EQ(page.json["data"].size(), 2u);
  EXPECT_EQ(page.json["data"][0]["n"], 4);
  EXPECT_EQ(page.json["data"][0]["t"], all.json["data"][3]["t"]);
}

TEST_F(SimTest, TaskFinishesAfterConfiguredNumberOfPollsWithoutClockChanges) {
  Options o = base_options();
  o.task_finish_after_polls = 3;
  start(o);
  const std::string upid = start_backup();
  EXPECT_EQ(task_status(upid)["status"], "running");
  EXPECT_EQ(task_status(upid)["status"], "running");
  EXPECT_EQ(task_status(upid)["exitstatus"], "OK");
}

TEST_F(SimTest, BackupsFinishedInTheSameSimulatedSecondDoNotOverwriteEachOther) {
  Options o = base_options();
  o.task_finish_after_polls = 1;
  start(o);
  EXPECT_EQ(task_status(start_backup())["exitstatus"], "OK");
  EXPECT_EQ(task_status(start_backup())["exitstatus"], "OK");
  const auto volids = sim->volids();
  ASSERT_EQ(volids.size(), 2u);
  EXPECT_EQ(volids[1], "local:backup/vzdump-lxc-106-2026_01_15-02_00_01.tar.zst");
}

TEST_F(SimTest, SecondVzdumpOnTheNodeWaitsForTheGlobalLock) {
  start();
  const std::string first = start_backup();
  const std::string second = start_backup();
  EXPECT_EQ(task_status(second)["status"], "running");
  sim->advance(2);
  EXPECT_EQ(task_status(first)["exitstatus"], "OK");
  EXPECT_EQ(task_status(second)["status"], "running");
  sim->advance(2);
  EXPECT_EQ(task_status(second)["exitstatus"], "OK");
  const auto log = client->get("/nodes/pve1/tasks/" + second + "/log", {{"limit", "0"}});
  EXPECT_EQ(log.json["data"][0]["t"], "INFO: trying to get global lock - waiting...");
  EXPECT_EQ(log.json["data"][1]["t"], "INFO: got global lock");
  EXPECT_EQ(sim->volids().size(), 2u);  // started 2 s apart: two distinct names
}

TEST_F(SimTest, LockedGuestMakesTheTaskEndWithJobErrors) {
  start();
  sim->set_guest_lock(106, "backup");
  const std::string upid = start_backup();
  const auto st = task_status(upid);
  EXPECT_EQ(st["status"], "stopped");
  EXPECT_EQ(st["exitstatus"], "job errors");
  const auto log = client->get("/nodes/pve1/tasks/" + upid + "/log", {{"limit", "0"}});
  const auto& lines = log.json["data"];
  EXPECT_EQ(lines[lines.size() - 1]["t"], "TASK ERROR: job errors");
  EXPECT_EQ(lines[lines.size() - 3]["t"], "ERROR: Backup of VM 106 failed - CT is locked (backup)");
  EXPECT_EQ(sim->guest_lock(106), "backup");  // a stale lock stays until `pct unlock`
}

TEST_F(SimTest, TokenWithoutVmBackupGetsATaskThatFailsWithPermissionCheck) {
  Options o = base_options();
  o.tokens = {{"ds@pve!tok", "x", {"Datastore.AllocateSpace", "Datastore.Audit"}}};
  start(o);
  client = std::make_unique<SimClient>(*sim, "ds@pve!tok", "x");
  const std::string upid = start_backup();
  EXPECT_EQ(task_status(upid)["exitstatus"], "Permission check failed (/vms/106, VM.Backup)");
}

TEST_F(SimTest, StoppingARunningTaskEndsItInterruptedAndReleasesTheLock) {
  start();
  const std::string upid = start_backup();
  EXPECT_EQ(client->del("/nodes/pve1/tasks/" + upid).status, 200);
  const auto st = task_status(upid);
  EXPECT_EQ(st["exitstatus"], "interrupted by signal");
  EXPECT_EQ(sim->guest_lock(106), "");
  sim->advance(10);
  EXPECT_TRUE(sim->volids().empty());
  EXPECT_TRUE(std::filesystem::is_empty(sim->storage_dir()));  // no .dat left behind
}

TEST_F(SimTest, UnknownOrMalformedUpidGives400) {
  start();
  auto r = client->get("/nodes/pve1/tasks/UPID:nonsense/status");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json["errors"]["upid"], "unable to parse worker upid");
  r = client->get(
      "/nodes/pve1/tasks/UPID:pve1:00000001:00000002:00000003:vzdump:106:a@pve:/status");
  EXPECT_EQ(r.json["errors"]["upid"], "no such task");
}

TEST_F(SimTest, TaskListShowsRunningTasksWithSourceAllAndFinishedOnesWithEndtime) {
  start();
  const std::string upid = start_backup();
  auto r = client->get("/nodes/pve1/tasks", {{"source", "all"}, {"typefilter", "vzdump"}});
  ASSERT_EQ(r.json["data"].size(), 1u);
  EXPECT_EQ(r.json["data"][0]["upid"], upid);
  EXPECT_FALSE(r.json["data"][0].contains("endtime"));
  sim->advance(3);
  r = client->get("/nodes/pve1/tasks", {{"vmid", "106"}});
  ASSERT_EQ(r.json["data"].size(), 1u);
  EXPECT_EQ(r.json["data"][0]["status"], "OK");
  EXPECT_EQ(r.json["data"][0]["endtime"], k_start + 2);
}

TEST_F(SimTest, NotesTemplateIsExpandedIntoTheNotesSidecar) {
  Options o = base_options();
  o.cluster_name = "smokers";
  start(o);
  start_backup({{"notes-template", "{{guestname}} on {{node}}/{{cluster}} ({{vmid}})\\nkept"}});
  sim->advance(2);
  const auto notes = sim->storage_dir() / "vzdump-lxc-106-2026_01_15-02_00_00.tar.zst.notes";
  std::ifstream in(notes);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "smartsmoker-cloud on pve1/smokers (106)\nkept");
}

TEST_F(SimTest, ArchiveNameAndCtimeUseTheNodeTimeZone) {
  Options o = base_options();
  o.node_timezone = "Europe/Berlin";
  start(o);
  start_backup();
  sim->advance(2);
  const auto r = client->get("/nodes/pve1/storage/local/content", {{"content", "backup"}});
  ASSERT_EQ(r.json["data"].size(), 1u);
  EXPECT_EQ(r.json["data"][0]["volid"], "local:backup/vzdump-lxc-106-2026_01_15-03_00_00.tar.zst");
  EXPECT_EQ(r.json["data"][0]["ctime"], k_start);
}

TEST_F(SimTest, DefaultRemovePrunesWithTheStoragePolicy) {
  Options o = base_options();
  o.prune_backups = "keep-last=2";
  start(o);
  for (int i = 0; i < 3; ++i) {
    start_backup();
    sim->advance(3600);
  }
  const auto volids = sim->volids();
  ASSERT_EQ(volids.size(), 2u);
  EXPECT_EQ(volids[0], "local:backup/vzdump-lxc-106-2026_01_15-03_00_00.tar.zst");
  EXPECT_EQ(volids[1], "local:backup/vzdump-lxc-106-2026_01_15-04_00_00.tar.zst");
}

TEST_F(SimTest, RemoveZeroWithFiniteRetentionHitsTheMaxBackupLimit) {
  Options o = base_options();
  o.prune_backups = "keep-last=1";
  start(o);
  sim->seed_backup(106, k_start - 86400);
  const std::string upid = start_backup({{"remove", "0"}});
  EXPECT_EQ(task_status(upid)["exitstatus"], "job errors");
  const auto log = client->get("/nodes/pve1/tasks/" + upid + "/log", {{"limit", "0"}});
  EXPECT_NE(log.body.find("There is a max backup limit of 1 enforced by the target storage"),
            std::string::npos);
}

}  // namespace
}  // namespace pvesim::testing
