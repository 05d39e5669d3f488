// Backup content listing, notes/protected and imgdel against docs/proxmox-api.md section 6.
#include <algorithm>

#include "tests/pvesim/tests/sim_fixture.hpp"

namespace pvesim::testing {
namespace {

const std::string k_content = "/nodes/pve1/storage/local/content";

TEST_F(SimTest, ListingHasNotesAndProtectedKeysOnlyWhenSet) {
  start();
  const std::string volid = sim->seed_backup(106, k_start - 3600);
  auto r = client->get(k_content, {{"content", "backup"}, {"vmid", "106"}});
  ASSERT_EQ(r.json["data"].size(), 1u);
  auto item = r.json["data"][0];
  EXPECT_EQ(item["volid"], volid);
  EXPECT_EQ(item["format"], "tar.zst");
  EXPECT_EQ(item["subtype"], "lxc");
  EXPECT_EQ(item["vmid"], 106);
  EXPECT_EQ(item["ctime"], k_start - 3600);
  EXPECT_GT(item["size"].get<std::int64_t>(), 0);
  EXPECT_FALSE(item.contains("notes"));
  EXPECT_FALSE(item.contains("protected"));

  ASSERT_EQ(
      client
          ->put(k_content + "/" + volid, {{"notes", "kept: monthly\nby agent"}, {"protected", "1"}})
          .status,
      200);
  item = client->get(k_content, {{"vmid", "106"}}).json["data"][0];
  EXPECT_EQ(item["notes"], "kept: monthly");  // first line only
  EXPECT_EQ(item["protected"], 1);
  const auto one = client->get(k_content + "/" + volid).json["data"];
  EXPECT_EQ(one["notes"], "kept: monthly\nby agent");
  EXPECT_EQ(one["protected"], 1);
  EXPECT_TRUE(std::filesystem::exists(sim->storage_dir() /
                                      (volid.substr(volid.find('/') + 1) + ".protected")));

  ASSERT_EQ(client->put(k_content + "/" + volid, {{"notes", ""}, {"protected", "0"}}).status, 200);
  item = client->get(k_content, {{"vmid", "106"}}).json["data"][0];
  EXPECT_FALSE(item.contains("notes"));
  EXPECT_FALSE(item.contains("protected"));
}

TEST_F(SimTest, SidecarsAndTempFilesAreHiddenFromTheListing) {
  start();
  sim->seed_backup(106, k_start - 60, "n");
  std::ofstream(sim->storage_dir() / "vzdump-lxc-106-2026_01_15-01_59_59.tar.dat") << "x";
  const auto r = client->get(k_content, {{"content", "backup"}});
  EXPECT_EQ(r.json["data"].size(), 1u);
}

TEST_F(SimTest, VolumeWithOtherStoragePrefixGivesStorageIdMismatch) {
  start();
  const auto r = client->put(k_content + "/nfs:backup/vzdump-lxc-106-x.tar.zst", {{"notes", "a"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json["errors"]["volume"], "storage ID mismatch (nfs != local)\n");
}

TEST_F(SimTest, DeleteReturnsImgdelUpidAndRemovesArchiveWithSidecars) {
  start();
  const std::string volid = sim->seed_backup(106, k_start - 60, "some notes");
  const auto r = client->del(k_content + "/" + volid);
  ASSERT_EQ(r.status, 200);
  const std::string upid = r.json["data"];
  EXPECT_NE(upid.find(":imgdel:106@local:smokerbak@pve!agent:"), std::string::npos);
  EXPECT_EQ(task_status(upid)["exitstatus"], "OK");
  EXPECT_TRUE(sim->volids().empty());
  EXPECT_TRUE(std::filesystem::is_empty(sim->storage_dir()));
}

TEST_F(SimTest, DeletingAProtectedBackupSucceedsOverHttpButTheTaskFails) {
  start();
  const std::string volid = sim->seed_backup(106, k_start - 60, "", true);
  const auto r = client->del(k_content + "/" + volid);
  ASSERT_EQ(r.status, 200);
  const std::string file = volid.substr(volid.find(':') + 1);
  EXPECT_EQ(task_status(r.json["data"])["exitstatus"],
            "cannot remove protected volume '" + file + "' on 'local'");
  EXPECT_EQ(sim->volids().size(), 1u);

  const auto with_delay = client->del(k_content + "/" + volid, {{"delay", "5"}});
  EXPECT_EQ(with_delay.status, 500);
  EXPECT_EQ(with_delay.reason, "cannot remove protected volume '" + file + "' on 'local'");
}

TEST_F(SimTest, ProtectedCapIsFiveForTokensWithoutDatastoreAllocate) {
  Options o = base_options();
  o.tokens = {{"a@pve!bb", "c", {"VM.Backup", "Datastore.AllocateSpace", "Datastore.Audit"}}};
  start(o);
  client = std::make_unique<SimClient>(*sim, "a@pve!bb", "c");
  for (int i = 0; i < 5; ++i) sim->seed_backup(106, k_start - 3600 * (i + 1), "", true);
  const std::string sixth = sim->seed_backup(106, k_start - 60);
  const auto r = client->put(k_content + "/" + sixth, {{"protected", "1"}});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.reason,
            "The number of protected backups per guest is limited to 5 on storage 'local'");
}

TEST_F(SimTest, ItemsAreDroppedForTokensWithOnlyDatastoreAudit) {
  Options o = base_options();
  o.tokens = {{"a@pve!ro", "c", {"Datastore.Audit"}}};
  start(o);
  sim->seed_backup(106, k_start - 60);
  SimClient ro(*sim, "a@pve!ro", "c");
  const auto r = ro.get(k_content, {{"content", "backup"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.json["data"].empty());
}

TEST_F(SimTest, PruneDryRunMarksWithTheStoragePolicy) {
  Options o = base_options();
  o.prune_backups = "keep-daily=3,keep-weekly=2";
  start(o);
  // Daily backups 2024-01-01 .. 2024-01-17 at 10:00 UTC: five kept (docs/retention.md section 2).
  for (int d = 1; d <= 17; ++d) sim->seed_backup(106, 1704103200 + (d - 1) * 86400);
  const auto r = client->get("/nodes/pve1/storage/local/prunebackups", {{"vmid", "106"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<std::string> kept;
  for (const auto& e : r.json["data"]) {
    if (e["mark"] == "keep") kept.push_back(e["volid"]);
  }
  std::sort(kept.begin(), kept.end());
  const std::vector<std::string> expected = {
      "local:backup/vzdump-lxc-106-2024_01_07-10_00_00.tar.zst",
      "local:backup/vzdump-lxc-106-2024_01_14-10_00_00.tar.zst",
      "local:backup/vzdump-lxc-106-2024_01_15-10_00_00.tar.zst",
      "local:backup/vzdump-lxc-106-2024_01_16-10_00_00.tar.zst",
      "local:backup/vzdump-lxc-106-2024_01_17-10_00_00.tar.zst"};
  EXPECT_EQ(kept, expected);
}

}  // namespace
}  // namespace pvesim::testing
