// The client against the simulator for issue 12's points: storage kinds, archive discovery,
// adoption behind the vzdump lock, effective retention, notes-template rules, task lists and
// the passed-through vzdump options.
#include <gtest/gtest.h>

#include "proxmox/notes_template.hpp"
#include "proxmox/storage.hpp"
#include "proxmox/task_log.hpp"
#include "proxmox/vzdump_options.hpp"
#include "tests/proxmox/sim_fixture.hpp"

namespace proxmox {
namespace {

using testing::ClientIntegrationTest;
using testing::LostVzdumpAnswerTest;

pvesim::StorageSpec spec_of(const std::string& id, pvesim::StorageSpec::Kind kind) {
  pvesim::StorageSpec s;
  s.id = id;
  s.kind = kind;
  s.provider_type = "borg";
  s.provider_name = "Borg";
  return s;
}

class FidelityTest : public ClientIntegrationTest {
 protected:
  // Backs up CT 106 to `storage`; returns the archive's volid as the task log names it.
  std::string backup_to(Client& api, const std::string& storage) {
    VzdumpRequest req = backup_request();
    req.storage = storage;
    auto upid = api.start_vzdump("pve1", req);
    EXPECT_TRUE(upid) << upid.error().message;
    if (!upid) return {};
    std::vector<std::string> lines;
    auto wait = fast_wait();
    wait.on_log_line = [&](const std::string& l) { lines.push_back(l); };
    auto done = api.wait_task("pve1", *upid, wait);
    EXPECT_TRUE(done) << done.error().message;
    const auto line = find_archive_line(lines);
    EXPECT_TRUE(line);
    return line ? archive_volid(*line, storage) : std::string();
  }
};

TEST_F(FidelityTest, EveryStorageKindsArchiveIsFoundFromItsLogLine) {
  options.extra_storages = {spec_of("pbs", pvesim::StorageSpec::Kind::pbs),
                            spec_of("borg", pvesim::StorageSpec::Kind::provider)};
  start();
  auto api = client();
  for (const std::string storage : {"local", "pbs", "borg"}) {
    const std::string volid = backup_to(*api, storage);
    auto listing = api->list_backups_checked("pve1", storage, 106);
    ASSERT_TRUE(listing) << listing.error().message;
    ASSERT_EQ(listing->volumes.size(), 1u) << storage;
    EXPECT_EQ(listing->volumes[0].volid, volid) << storage;
    EXPECT_TRUE(listing->rejected.empty());
  }
}

TEST_F(FidelityTest, PbsSnapshotIsVerifiedByProxmoxNotReadableHere) {
  options.extra_storages = {spec_of("pbs", pvesim::StorageSpec::Kind::pbs)};
  start();
  auto api = client();
  const std::string volid = backup_to(*api, "pbs");
  auto list = api->list_backups("pve1", "pbs", 106);
  ASSERT_TRUE(list && list->size() == 1u);
  EXPECT_EQ(list->front().format, "pbs-ct");
  EXPECT_EQ(list->front().name.form, BackupNameForm::pbs_snapshot);
  EXPECT_TRUE(list->front().name.standard);
  EXPECT_FALSE(list->front().verification);  // not verified yet
  sim->set_verification(volid, "ok", "UPID:pbs:00000001:00000002:00000003:verify:x:root@pam:");
  list = api->list_backups("pve1", "pbs", 106);
  ASSERT_TRUE(list->front().verification);
  EXPECT_EQ(list->front().verification->state, "ok");

  auto storage = api->node_storage("pve1", "pbs");
  ASSERT_TRUE(storage) << storage.error().message;
  EXPECT_EQ(storage->kind(), StorageKind::pbs);
  auto info = api->read_volume("pve1", "pbs", volid);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->path.rfind("pbs://", 0), 0u);
  EXPECT_EQ(volume_locality(*storage, *info, "pve1", "pve1"), VolumeLocality::not_a_file);

  auto local = api->node_storage("pve1", "local");
  ASSERT_TRUE(local);
  const std::string file_volid = backup_to(*api, "local");
  auto file = api->read_volume("pve1", "local", file_volid);
  ASSERT_TRUE(file);
  EXPECT_EQ(volume_locality(*local, *file, "pve1", "pve1"), VolumeLocality::local_file);
  EXPECT_EQ(volume_locality(*local, *file, "pve1", "pve2"), VolumeLocality::other_node);
}

TEST_F(FidelityTest, EffectiveRetentionNeedsOnlyDatastoreAudit) {
  options.vzdump_conf = "prune-backups: keep-daily=7,keep-last=2\n";
  options.tokens = {{pvesim::default_token().token_id,
                     pvesim::default_token().secret,
                     {"VM.Backup", "VM.Audit", "Datastore.AllocateSpace", "Datastore.Audit"}}};
  start();
  auto api = client();
  auto defaults = api->vzdump_defaults("pve1", "local");
  ASSERT_TRUE(defaults) << defaults.error().message;
  ASSERT_TRUE(defaults->has_value());
  EXPECT_EQ((*defaults)->prune_backups, "keep-daily=7,keep-last=2");
  EXPECT_EQ((*defaults)->remove, true);
  // What the conflict check used before: refused to the documented minimal token.
  auto config = api->storage_config("local");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().kind, Error::Kind::permission);
}

TEST_F(FidelityTest, OldNodeWithoutTheDefaultsEndpointGivesTheFallbackSignal) {
  options.vzdump_defaults_endpoint = false;
  start();
  auto api = client();
  auto defaults = api->vzdump_defaults("pve1", "local");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_FALSE(defaults->has_value());
}

TEST_F(FidelityTest, ClientValidatorAgreesWithTheSimulatorsNotesTemplateAnswer) {
  start();
  auto api = client();
  std::string long_one = "prod smokerbak:1\\n" + std::string(1010, 'x');
  for (const std::string& tmpl :
       {std::string("prod smokerbak:1\\n{{guestname}}"), std::string("a\\x{{bar}}\\q"),
        std::string("\xC3\xA4{{n\xC3\xB6"
                    "de}} \\t"),
        std::string("trailing\\"), std::string("{{a b}}{{c}}"), long_one}) {
    VzdumpRequest req = backup_request();
    req.notes_template = tmpl;
    const std::string expected = upstream_notes_template_error(tmpl);
    auto upid = api->start_vzdump("pve1", req);
    if (expected.empty()) {
      ASSERT_TRUE(upid) << tmpl << ": " << upid.error().message;
      ASSERT_TRUE(api->wait_task("pve1", *upid, fast_wait()));
      continue;
    }
    ASSERT_FALSE(upid) << tmpl;
    EXPECT_EQ(upid.error().http_status, 400);
    EXPECT_NE(upid.error().message.find("notes-template: " + expected), std::string::npos)
        << upid.error().message;
  }
}

TEST_F(FidelityTest, TaskListIsReadInBothUpstreamForms) {
  options.task_finish_after_polls = 0;
  start();
  auto api = client();
  auto upid = api->start_vzdump("pve1", backup_request());
  ASSERT_TRUE(upid);
  auto running = api->list_tasks("pve1", "vzdump", 106, false);
  ASSERT_TRUE(running && running->size() == 1u);
  EXPECT_TRUE(running->front().running);  // status RUNNING
  EXPECT_EQ(running->front().user, "smokerbak@pve!agent");
  sim->advance(60);
  auto done = api->list_tasks("pve1", "vzdump", 106, false);
  ASSERT_TRUE(done && done->size() == 1u);
  EXPECT_FALSE(done->front().running);
  EXPECT_EQ(done->front().user, "smokerbak@pve!agent");  // user + tokenid joined
}

TEST_F(FidelityTest, NotificationAndChangeDetectionOptionsAreCheckedLikeTheServer) {
  options.extra_storages = {spec_of("pbs", pvesim::StorageSpec::Kind::pbs)};
  start();
  auto api = client();
  VzdumpRequest req = backup_request();
  req.storage = "pbs";
  req.notification_mode = "notification-system";
  req.pbs_change_detection_mode = "metadata";
  auto upid = api->start_vzdump("pve1", req);
  ASSERT_TRUE(upid) << upid.error().message;
  std::vector<std::string> lines;
  auto wait = fast_wait();
  wait.on_log_line = [&](const std::string& l) { lines.push_back(l); };
  ASSERT_TRUE(api->wait_task("pve1", *upid, wait));
  bool passed = false;
  for (const auto& l : lines)
    passed |= l.find("--change-detection-mode metadata") != std::string::npos;
  EXPECT_TRUE(passed);

  req.notification_mode = "mail";
  auto refused = api->start_vzdump("pve1", req);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find(*vzdump_option_error("notification-mode", "mail")),
            std::string::npos)
      << refused.error().message;
}

class AdoptionBehindTheLockTest : public LostVzdumpAnswerTest {};

TEST_F(AdoptionBehindTheLockTest, LostPostBehindAScheduledJobAndAChattyHookIsAdopted) {
  options.task_finish_after_polls = 0;
  options.task_seconds = 5;
  options.job_init_hook_lines = std::vector<std::string>(70, "hook: preparing the NAS");
  start();
  auto api = sim_clock_client();
  // A scheduled job (another run) holds the node's vzdump lock.
  VzdumpRequest other = request();
  other.notes_template = "scheduled job";
  auto first = api->start_vzdump("pve1", other);
  ASSERT_TRUE(first) << first.error().message;
  lose_vzdump_answer(pvesim::Fault::Kind::drop_connection);
  advance_per_sleep = 1;
  auto upid = api->start_vzdump("pve1", request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_NE(*upid, *first);
  EXPECT_EQ(sim->stats().tasks_started, 2u);  // no second backup was queued
  auto done = api->wait_task("pve1", *upid, fast_wait());
  ASSERT_TRUE(done) << done.error().message;
}

}  // namespace
}  // namespace proxmox
