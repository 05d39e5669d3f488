#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/vzdump/backup_record.hpp"
#include "tests/agent_config/test_files.hpp"

namespace agent {
namespace {

namespace fs = std::filesystem;

class BackupRecordTest : public ::testing::Test {
 protected:
  TempDir temp;
  const fs::path& dir = temp.path();
};

TEST_F(BackupRecordTest, EveryFieldRoundTrips) {
  BackupRecord r;
  r.target = "prod-cloud";
  r.vmid = 106;
  r.node = "pve1";
  r.storage = "local";
  r.volid = "local:backup/vzdump-lxc-106-2025_12_07-01_00_02.tar.zst";
  r.path = "/var/lib/vz/dump/vzdump-lxc-106-2025_12_07-01_00_02.tar.zst";
  r.run_id = "20251207T010002Z";
  r.ctime = 1765069202;
  r.size = 123456;
  r.sha256 = std::string(64, 'a');
  r.verdict = agent::ArchiveVerdict::corrupt;
  r.problem = "unexpected end of zstd frame";
  r.compression = "zstd";
  r.tar_entries = 1234;
  r.tar_bytes = 567890;
  r.checked_at = "2025-12-07T01:04:10Z";
  r.task_exitstatus = "WARNINGS: 1";
  r.notes_rest = "line one\nline \xC2\xB7 two";
  ASSERT_TRUE(write_backup_record(dir, r));
  const auto path = backup_record_path(dir, r.target, r.volid);
  EXPECT_EQ(path.filename(), "local_backup_vzdump-lxc-106-2025_12_07-01_00_02.tar.zst.json");
  const auto back = read_backup_record(dir, r.target, r.volid);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->target, r.target);
  EXPECT_EQ(back->vmid, r.vmid);
  EXPECT_EQ(back->node, r.node);
  EXPECT_EQ(back->storage, r.storage);
  EXPECT_EQ(back->volid, r.volid);
  EXPECT_EQ(back->path, r.path);
  EXPECT_EQ(back->run_id, r.run_id);
  EXPECT_EQ(back->ctime, r.ctime);
  EXPECT_EQ(back->size, r.size);
  EXPECT_EQ(back->sha256, r.sha256);
  EXPECT_EQ(back->verdict, r.verdict);
  EXPECT_EQ(back->problem, r.problem);
  EXPECT_EQ(back->compression, r.compression);
  EXPECT_EQ(back->tar_entries, r.tar_entries);
  EXPECT_EQ(back->tar_bytes, r.tar_bytes);
  EXPECT_EQ(back->checked_at, r.checked_at);
  EXPECT_EQ(back->task_exitstatus, r.task_exitstatus);
  EXPECT_EQ(back->notes_rest, r.notes_rest);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("\"format\": 1"), std::string::npos) << text;
  EXPECT_NE(text.find("\"tier\": \"vzdump\""), std::string::npos) << text;
}

TEST_F(BackupRecordTest, MissingKeysReadAsDefaultsAndADamagedRecordAsNone) {
  const auto path = backup_record_path(dir, "t", "local:backup/a.tar.zst");
  fs::create_directories(path.parent_path());
  std::ofstream(path) << R"({"format":1,"volid":"local:backup/a.tar.zst","verdict":"verified"})";
  const auto partial = read_backup_record(dir, "t", "local:backup/a.tar.zst");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->verdict, ArchiveVerdict::verified);
  EXPECT_EQ(partial->size, 0u);
  EXPECT_EQ(partial->notes_rest, "");
  std::ofstream(path, std::ios::trunc) << R"({"volid":"local:backup/a.tar.zst","size":"big"})";
  EXPECT_FALSE(read_backup_record(dir, "t", "local:backup/a.tar.zst"));
  std::ofstream(path, std::ios::trunc) << "{\"volid\":";
  EXPECT_FALSE(read_backup_record(dir, "t", "local:backup/a.tar.zst"));
  EXPECT_FALSE(read_backup_record(dir, "t", "local:backup/never-written.tar.zst"));
}

TEST_F(BackupRecordTest, VanishedRecordsAreThoseOfThisGuestAndStorageNoLongerListed) {
  auto record = [&](std::string volid, std::string storage, std::int64_t vmid,
                    const std::string& verdict) {
    BackupRecord r;
    r.target = "t";
    r.volid = std::move(volid);
    r.storage = std::move(storage);
    r.vmid = vmid;
    r.verdict = *parse_archive_verdict(verdict);
    ASSERT_TRUE(write_backup_record(dir, r));
  };
  record("local:backup/a", "local", 106, "verified");
  record("local:backup/b", "local", 106, "corrupt");
  record("local:backup/c", "local", 106, "verified");
  record("nfs:backup/d", "nfs", 106, "verified");      // another storage
  record("local:backup/e", "local", 107, "verified");  // another guest
  proxmox::BackupVolume listed;
  listed.volid = "local:backup/b";
  EXPECT_EQ(vanished_records(dir, "t", 106, "local", {listed}),
            (std::vector<std::string>{"local:backup/a", "local:backup/c"}));
  proxmox::BackupVolume unrecorded;
  unrecorded.volid = "local:backup/vzdump-lxc-106-2025_12_08-01_00_02.tar.zst";
  const auto states = known_verify_states(dir, "t", {listed, unrecorded});
  EXPECT_EQ(states,
            (std::map<std::string, VerifyState>{{"local:backup/b", VerifyState::failed},
                                                {unrecorded.volid, VerifyState::unverified}}));
}

TEST_F(BackupRecordTest, PbsSnapshotsTakeTheirStateFromTheListingNotFromARecord) {
  // A record saying "verified" must not override what PBS reports now (refreshed every run).
  BackupRecord r;
  r.target = "t";
  r.volid = "pbs:backup/ct/106/2025-12-07T01:00:02Z";
  r.storage = "pbs";
  r.vmid = 106;
  r.verdict = ArchiveVerdict::verified;
  r.verify_state = VerifyState::pbs_verified;
  ASSERT_TRUE(write_backup_record(dir, r));
  proxmox::BackupVolume failed;
  failed.volid = r.volid;
  failed.verification = proxmox::Verification{"failed", "UPID:x"};
  proxmox::BackupVolume none;
  none.volid = "pbs:backup/ct/106/2025-12-08T01:00:02Z";
  proxmox::BackupVolume ok;
  ok.volid = "pbs:backup/ct/106/2025-12-09T01:00:02Z";
  ok.verification = proxmox::Verification{"ok", "UPID:y"};
  const auto states = known_verify_states(dir, "t", {failed, none, ok});
  EXPECT_EQ(states.at(failed.volid), VerifyState::pbs_failed);
  EXPECT_EQ(states.at(none.volid), VerifyState::pbs_pending);
  EXPECT_EQ(states.at(ok.volid), VerifyState::pbs_verified);
}

TEST_F(BackupRecordTest, VerifyStateRoundTripsAndOldRecordsDeriveItFromTheVerdict) {
  BackupRecord r;
  r.target = "t";
  r.volid = "pbs:backup/ct/106/2025-12-07T01:00:02Z";
  r.verdict = ArchiveVerdict::unreadable;
  r.verify_state = VerifyState::not_verifiable;
  ASSERT_TRUE(write_backup_record(dir, r));
  auto back = read_backup_record(dir, "t", r.volid);
  ASSERT_TRUE(back);
  EXPECT_EQ(state_of(*back), VerifyState::not_verifiable);
  back->verify_state.reset();
  back->verdict = ArchiveVerdict::verified;
  EXPECT_EQ(state_of(*back), VerifyState::verified);
}

}  // namespace
}  // namespace agent
