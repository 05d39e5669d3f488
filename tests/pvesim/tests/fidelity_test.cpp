// The upstream behaviours of issue 12, at the simulator's wire level (each cites its source in
// the simulator's code; docs/proxmox-api.md for context).
#include "tests/pvesim/tests/sim_fixture.hpp"

namespace pvesim::testing {
namespace {

StorageSpec pbs_storage() {
  StorageSpec s;
  s.id = "pbs";
  s.kind = StorageSpec::Kind::pbs;
  return s;
}

StorageSpec provider_storage() {
  StorageSpec s;
  s.id = "borg";
  s.kind = StorageSpec::Kind::provider;
  s.provider_type = "borg";
  s.provider_name = "Borg";
  return s;
}

std::vector<std::string> log_lines(SimClient& c, const std::string& upid) {
  std::vector<std::string> out;
  const auto r = c.get("/nodes/pve1/tasks/" + upid + "/log", {{"limit", "0"}});
  for (const auto& l : r.json["data"]) {
    out.push_back(l["t"].get<std::string>());
  }
  return out;
}

::testing::AssertionResult has_line(const std::vector<std::string>& lines,
                                    const std::string& line) {
  if (std::find(lines.begin(), lines.end(), line) != lines.end()) {
    return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure() << "not in the log:";
  for (const auto& l : lines) failure << "\n  " << l;
  return failure;
}

TEST_F(SimTest, PbsBackupIsASnapshotWithoutAFileAndPbsFields) {
  Options o = base_options();
  o.extra_storages = {pbs_storage()};
  start(o);
  const std::string upid =
      start_backup({{"storage", "pbs"}, {"notes-template", "prod {{vmid}}\\nx"}});
  sim->advance(10);
  EXPECT_EQ(task_status(upid)["exitstatus"], "OK");
  const auto lines = log_lines(*client, upid);
  EXPECT_TRUE(has_line(
      lines, "INFO: creating Proxmox Backup Server archive 'ct/106/2026-01-15T02:00:00Z'"));
  const auto list = client->get("/nodes/pve1/storage/pbs/content", {{"vmid", "106"}}).json["data"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["volid"], "pbs:backup/ct/106/2026-01-15T02:00:00Z");
  EXPECT_EQ(list[0]["format"], "pbs-ct");
  EXPECT_EQ(list[0]["subtype"], "lxc");
  EXPECT_EQ(list[0]["ctime"], k_start);
  EXPECT_EQ(list[0]["notes"], "prod 106");         // the comment: the first line
  EXPECT_FALSE(list[0].contains("verification"));  // never verified

  sim->set_verification("pbs:backup/ct/106/2026-01-15T02:00:00Z", "failed",
                        "UPID:pbs:1:2:3:verify:x:root@pam:");
  const auto verified = client->get("/nodes/pve1/storage/pbs/content").json["data"][0];
  EXPECT_EQ(verified["verification"]["state"], "failed");

  const auto info =
      client->get("/nodes/pve1/storage/pbs/content/pbs:backup/ct/106/2026-01-15T02:00:00Z")
          .json["data"];
  EXPECT_EQ(info["path"], "pbs://smokerbak@pbs@pbs.example.com:store1/ct/106/2026-01-15T02:00:00Z");
  EXPECT_EQ(info["format"], "pbs-ct");
  EXPECT_EQ(info["notes"], "prod 106\nx");
  EXPECT_EQ(info["protected"], false);  // PBS's JSON boolean, passed through
  EXPECT_TRUE(std::filesystem::is_empty(sim->storage_dir()));

  const auto storages = client->get("/nodes/pve1/storage").json["data"];
  bool seen = false;
  for (const auto& s : storages) {
    if (s["storage"] == "pbs") {
      seen = true;
      EXPECT_EQ(s["type"], "pbs");
      EXPECT_EQ(s["shared"], 1);
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(SimTest, BackupProviderLogsItsOwnNameAndArchive) {
  Options o = base_options();
  o.extra_storages = {provider_storage()};
  start(o);
  const std::string upid = start_backup({{"storage", "borg"}});
  sim->advance(10);
  EXPECT_TRUE(has_line(log_lines(*client, upid),
                       "INFO: creating Borg archive 'ct-106-2026-01-15T02:00:00Z'"));
  const auto list = client->get("/nodes/pve1/storage/borg/content").json["data"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["volid"], "borg:backup/ct-106-2026-01-15T02:00:00Z");
  const auto info =
      client->get("/nodes/pve1/storage/borg/content/" + list[0]["volid"].get<std::string>())
          .json["data"];
  EXPECT_EQ(info["path"], "");
}

TEST_F(SimTest, RenamedVzdumpLxcFileIsTypedLxcAndCountsForTheMaxBackupLimit) {
  Options o = base_options();
  o.prune_backups = "keep-last=2";
  start(o);
  const std::string seeded = sim->seed_backup(106, k_start - 86400);
  const std::string file = seeded.substr(seeded.find('/') + 1);
  std::filesystem::rename(sim->storage_dir() / file,
                          sim->storage_dir() / "vzdump-lxc-106-keep.tar.zst");
  sim->seed_backup(106, k_start - 3600);
  const auto list =
      client->get("/nodes/pve1/storage/local/content", {{"vmid", "106"}}).json["data"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["volid"], "local:backup/vzdump-lxc-106-keep.tar.zst");
  EXPECT_EQ(list[1]["subtype"], "lxc");  // Storage.pm archive_info
  // Prune marks it renamed, never remove.
  const auto marks =
      client->get("/nodes/pve1/storage/local/prunebackups", {{"type", "lxc"}, {"vmid", "106"}})
          .json["data"];
  bool renamed = false;
  for (const auto& m : marks) renamed |= m["mark"] == "renamed" && m["type"] == "lxc";
  EXPECT_TRUE(renamed);
  // With remove=0 and keep-last=2, the renamed one fills the second slot.
  const std::string upid = start_backup({{"remove", "0"}});
  sim->advance(10);
  EXPECT_EQ(task_status(upid)["exitstatus"], "job errors");
  EXPECT_TRUE(has_line(log_lines(*client, upid),
                       "ERROR: Backup of VM 106 failed - There is a max backup limit of 2 enforced "
                       "by the target storage or the vzdump parameters. Either increase the limit "
                       "or delete old backups."));
}

TEST_F(SimTest, VzdumpConfDefaultsAreMergedLikeUpstream) {
  Options o = base_options();
  o.vzdump_conf =
      "# node defaults\nprune-backups: keep-weekly=4,keep-daily=7\nmailto: "
      "root@example.com\nbogus: 1\n";
  StorageSpec nfs;
  nfs.id = "nfs";
  nfs.prune_backups = "keep-last=3";
  o.extra_storages = {nfs};
  o.tokens = {{"ds@pve!tok", "x", {"Datastore.Audit"}}, default_token()};
  start(o);
  SimClient limited(*sim, "ds@pve!tok", "x");
  auto r = limited.get("/nodes/pve1/vzdump/defaults", {{"storage", "local"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["data"]["prune-backups"], "keep-daily=7,keep-weekly=4");  // sorted keys
  EXPECT_EQ(r.json["data"]["storage"], "local");
  EXPECT_EQ(r.json["data"]["mode"], "snapshot");
  EXPECT_EQ(r.json["data"]["remove"], 1);
  EXPECT_FALSE(r.json["data"].contains("mailto"));  // no Sys.Audit on the node
  EXPECT_FALSE(r.json["data"].contains("bogus"));
  // The storage's own setting wins over vzdump.conf.
  r = limited.get("/nodes/pve1/vzdump/defaults", {{"storage", "nfs"}});
  EXPECT_EQ(r.json["data"]["prune-backups"], "keep-last=3");
  // Full token: mailto shown.
  r = client->get("/nodes/pve1/vzdump/defaults", {{"storage", "local"}});
  EXPECT_EQ(r.json["data"]["mailto"], "root@example.com");
}

TEST_F(SimTest, VzdumpDefaultsNeedAuditOrAllocateSpaceAndAreMissingOnOldNodes) {
  Options o = base_options();
  o.tokens = {{"vm@pve!tok", "x", {"VM.Audit"}}};
  start(o);
  SimClient limited(*sim, "vm@pve!tok", "x");
  auto r = limited.get("/nodes/pve1/vzdump/defaults", {{"storage", "local"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.reason,
            "Permission check failed (/storage/local, Datastore.Audit|Datastore.AllocateSpace)");
  Options old = base_options();
  old.vzdump_defaults_endpoint = false;
  start(old);
  r = client->get("/nodes/pve1/vzdump/defaults", {{"storage", "local"}});
  EXPECT_EQ(r.status, 501);
}

TEST_F(SimTest, VzdumpConfPruneAppliesWhenTheStorageHasNone) {
  Options o = base_options();
  o.vzdump_conf = "prune-backups: keep-last=1\n";
  start(o);
  sim->seed_backup(106, k_start - 86400);
  const std::string upid = start_backup();
  sim->advance(10);
  EXPECT_EQ(task_status(upid)["exitstatus"], "OK");
  EXPECT_TRUE(
      has_line(log_lines(*client, upid), "INFO: prune older backups with retention: keep-last=1"));
  EXPECT_EQ(sim->volids().size(), 1u);
}

TEST_F(SimTest, JobInitHookAndLockWaitComeBeforeTheCommandLine) {
  Options o = base_options();
  o.job_init_hook_lines = {"mounting the backup NAS", "NAS ready"};
  o.job_init_seconds = 30;
  start(o);
  const std::string first = start_backup();
  const std::string second = start_backup();
  auto lines = log_lines(*client, second);
  ASSERT_EQ(lines.size(), 2u);  // still in job-init: no lock attempt yet
  EXPECT_EQ(lines[0], "INFO: mounting the backup NAS");
  sim->advance(30);  // first: job-init over, holds the lock; second: waits behind it
  lines = log_lines(*client, second);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2], "INFO: trying to get global lock - waiting...");
  sim->advance(10);
  lines = log_lines(*client, second);
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[3], "INFO: got global lock");
  EXPECT_EQ(lines[4].rfind("INFO: starting new backup job: vzdump 106 ", 0), 0u);
  EXPECT_EQ(log_lines(*client, first)[2].rfind("INFO: starting new backup job: ", 0), 0u);
}

TEST_F(SimTest, TaskListUsesUpstreamsTwoForms) {
  start();
  const std::string upid = start_backup();
  auto r = client->get("/nodes/pve1/tasks", {{"source", "all"}, {"vmid", "106"}});
  ASSERT_EQ(r.json["data"].size(), 1u);
  EXPECT_EQ(r.json["data"][0]["status"], "RUNNING");
  EXPECT_EQ(r.json["data"][0]["user"], "smokerbak@pve!agent");
  EXPECT_FALSE(r.json["data"][0].contains("tokenid"));
  EXPECT_EQ(r.json["total"], 1);
  sim->advance(10);
  r = client->get("/nodes/pve1/tasks", {{"source", "all"}, {"vmid", "106"}});
  EXPECT_EQ(r.json["data"][0]["status"], "OK");
  EXPECT_EQ(r.json["data"][0]["user"], "smokerbak@pve");
  EXPECT_EQ(r.json["data"][0]["tokenid"], "agent");
  EXPECT_TRUE(r.json["data"][0].contains("endtime"));
  // imgdel's id is "106@local": the vmid filter is an exact match upstream.
  const auto volid = sim->volids().front();
  client->del("/nodes/pve1/storage/local/content/" + volid);
  r = client->get("/nodes/pve1/tasks", {{"vmid", "106"}});
  for (const auto& t : r.json["data"]) EXPECT_EQ(t["type"], "vzdump");
  r = client->get("/nodes/pve1/tasks", {{"limit", "0"}});
  EXPECT_TRUE(r.json["data"].empty());
}

TEST_F(SimTest, SchemaRefusesMaxfilesAndBadEnumsAndLongTemplates) {
  start();
  auto r = client->post("/nodes/pve1/vzdump", {{"vmid", "106"}, {"maxfiles", "3"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.json["errors"].contains("maxfiles"));
  r = client->post("/nodes/pve1/vzdump", {{"vmid", "106"}, {"notification-mode", "mail"}});
  EXPECT_EQ(r.json["errors"]["notification-mode"],
            "value 'mail' does not have a value in the enumeration 'auto, legacy-sendmail, "
            "notification-system'");
  r = client->post("/nodes/pve1/vzdump", {{"vmid", "106"}, {"pbs-change-detection-mode", "fast"}});
  EXPECT_EQ(r.status, 400);
  r = client->post("/nodes/pve1/vzdump", {{"vmid", "106"}, {"mailto", "a@@b"}});
  EXPECT_EQ(r.status, 400);
  r = client->post(
      "/nodes/pve1/vzdump",
      {{"vmid", "106"}, {"storage", "local"}, {"notes-template", std::string(1025, 'a')}});
  EXPECT_EQ(r.json["errors"]["notes-template"], "value may only be 1024 characters long");
  std::string umlauts;
  for (int i = 0; i < 1024; ++i) umlauts += "\xC3\xA4";
  r = client->post("/nodes/pve1/vzdump",
                   {{"vmid", "106"}, {"storage", "local"}, {"notes-template", umlauts}});
  EXPECT_EQ(r.status, 200) << r.body;  // 1024 characters, 2048 bytes
  EXPECT_EQ(sim->stats().tasks_started, 1u);
  // Valid values pass and show in the command line.
  sim->advance(10);
  const std::string upid =
      start_backup({{"notification-mode", "notification-system"}, {"mailto", "ops@example.com"}});
  sim->advance(10);
  bool shown = false;
  for (const auto& l : log_lines(*client, upid)) {
    shown |= l.find("--notification-mode notification-system") != std::string::npos &&
             l.find("--mailto ops@example.com") != std::string::npos;
  }
  EXPECT_TRUE(shown);
}

TEST_F(SimTest, MaxfilesIsStillAcceptedByOlderReleases) {
  Options o = base_options();
  o.pve_version = "8.4.1";
  start(o);
  EXPECT_EQ(client->post("/nodes/pve1/vzdump", {{"vmid", "106"}, {"maxfiles", "3"}}).status, 200);
}

}  // namespace
}  // namespace pvesim::testing
