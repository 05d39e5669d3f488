// Every client operation against the Proxmox simulator over real HTTPS on 127.0.0.1.
#include <gtest/gtest.h>

#include <filesystem>

#include "proxmox/client.hpp"
#include "tests/proxmox/sim_fixture.hpp"

namespace proxmox {
namespace {

namespace fs = std::filesystem;
using testing::ClientIntegrationTest;
using testing::k_start;
using testing::LostVzdumpAnswerTest;

TEST_F(ClientIntegrationTest, VersionLocateAndStatusOverOneConnection) {
  start();
  auto api = client();
  auto v = api->version();
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->version, "9.2.11");
  EXPECT_TRUE(v->at_least(7, 2));
  auto guest = api->locate_guest(106);
  ASSERT_TRUE(guest) << guest.error().message;
  EXPECT_EQ(guest->node, "pve1");
  auto status = api->guest_status(guest->node, 106);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->status, "running");
  EXPECT_EQ(sim->stats().handshakes, 1u);
}

TEST_F(ClientIntegrationTest, MigratedGuestIsFoundOnItsNewNodeAndOldNodeAnswersOk) {
  start();
  sim->migrate_guest(106, "pve2");
  auto api = client();
  auto guest = api->locate_guest(106);
  ASSERT_TRUE(guest);
  EXPECT_EQ(guest->node, "pve2");
  auto wrong = api->start_vzdump("pve1", backup_request());
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, Error::Kind::not_found);
  EXPECT_EQ(sim->stats().tasks_started, 0u);
}

TEST_F(ClientIntegrationTest, VzdumpTaskIsWaitedForWithItsLogStreamedAndArchiveListed) {
  start();
  auto api = client();
  VzdumpRequest req = backup_request();
  req.notes_template = "first\\n{{guestname}} on {{node}}";
  auto upid = api->start_vzdump("pve1", req);
  ASSERT_TRUE(upid) << upid.error().message;
  std::vector<std::string> lines;
  auto wait = fast_wait();
  wait.on_log_line = [&](const std::string& l) { lines.push_back(l); };
  auto result = api->wait_task("pve1", *upid, wait);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->exitstatus, "OK");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "TASK OK");
  EXPECT_GT(api->stats().polls, 0u);

  auto list = api->list_backups("pve1", "local", 106);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().notes, "first");  // listings carry the first line only
  auto info = api->read_volume("pve1", "local", list->front().volid);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->notes, "first\nsmartsmoker-cloud on pve1");
  EXPECT_TRUE(fs::exists(info->path));
}

TEST_F(ClientIntegrationTest, NotesAndProtectionAreUpdatedAndReadBack) {
  start();
  const auto volid = sim->seed_backup(106, k_start - 86400, "old");
  auto api = client();
  VolumeUpdate update;
  update.notes = "new first · line\nsecond line";
  update.is_protected = true;
  ASSERT_TRUE(api->update_volume("pve1", "local", volid, update));
  auto info = api->read_volume("pve1", "local", volid);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->notes, "new first · line\nsecond line");
  EXPECT_TRUE(info->is_protected);
}

TEST_F(ClientIntegrationTest, DeleteWaitsForImgdelAndProtectedDeleteFailsInTheTask) {
  start();
  const auto plain = sim->seed_backup(106, k_start - 2 * 86400, "");
  const auto guarded = sim->seed_backup(106, k_start - 86400, "", true);
  auto api = client();
  auto removed = api->delete_volume("pve1", "local", plain, fast_wait());
  ASSERT_TRUE(removed) << removed.error().message;
  auto refused = api->delete_volume("pve1", "local", guarded, fast_wait());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Error::Kind::task_failed);
  EXPECT_NE(refused.error().message.find("cannot remove protected volume"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(sim->volids(), std::vector<std::string>{guarded});
}

TEST_F(ClientIntegrationTest, TransientProxyErrorsAreRetriedForReads) {
  start();
  pvesim::Fault fault;
  fault.kind = pvesim::Fault::Kind::http_status;
  fault.status = 596;
  fault.reason = "Connection timed out";
  fault.method = "GET";
  fault.path_contains = "/version";
  fault.count = 2;
  sim->inject(fault);
  auto api = client();
  auto v = api->version();
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(api->stats().requests, 3u);
}

TEST_F(ClientIntegrationTest, DroppedConnectionOnReadIsRetriedOnANewConnection) {
  start();
  pvesim::Fault fault;
  fault.kind = pvesim::Fault::Kind::drop_connection;
  fault.path_contains = "/cluster/resources";
  sim->inject(fault);
  auto api = client();
  auto guest = api->locate_guest(106);
  ASSERT_TRUE(guest) << guest.error().message;
}

TEST_F(LostVzdumpAnswerTest, TaskThatAlreadyFinishedIsAdoptedNotStartedTwice) {
  options.task_finish_after_polls = 0;  // only the clock finishes tasks
  start();
  lose_vzdump_answer(pvesim::Fault::Kind::drop_connection);
  advance_per_sleep = 30;  // the task (2 s) is over before the client looks
  auto api = sim_clock_client();
  auto upid = api->start_vzdump("pve1", request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(sim->stats().tasks_started, 1u);
  auto done = api->wait_task("pve1", *upid, fast_wait());
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->exitstatus, "OK");
  EXPECT_EQ(sim->volids().size(), 1u);
}

TEST_F(LostVzdumpAnswerTest, RunningTaskBehindAProxyErrorIsAdopted) {
  start();
  lose_vzdump_answer(pvesim::Fault::Kind::http_status, 596);
  auto api = sim_clock_client();
  auto upid = api->start_vzdump("pve1", request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(sim->stats().tasks_started, 1u);
  auto done = api->wait_task("pve1", *upid, fast_wait());
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(sim->volids().size(), 1u);
}

TEST_F(LostVzdumpAnswerTest, EarlierFinishedTaskOfAnotherRunIsNotAdopted) {
  options.task_finish_after_polls = 0;
  start();
  // Another run's backup a few seconds earlier, inside the clock-skew window.
  auto api = sim_clock_client();
  VzdumpRequest other = request();
  other.notes_template = "prod smokerbak:20260101T005950Z";
  auto first = api->start_vzdump("pve1", other);
  ASSERT_TRUE(first) << first.error().message;
  sim->advance(10);
  lose_vzdump_answer(pvesim::Fault::Kind::drop_connection);
  advance_per_sleep = 30;
  auto upid = api->start_vzdump("pve1", request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_NE(*upid, *first);
  EXPECT_EQ(sim->stats().tasks_started, 2u);  // the lost one was found, none started again
}

TEST_F(LostVzdumpAnswerTest, PostDroppedBeforeTheServerActedIsSentAgainOnlyAfterChecking) {
  start();
  pvesim::Fault fault;
  fault.kind = pvesim::Fault::Kind::drop_connection;
  fault.method = "POST";
  fault.path_contains = "/vzdump";
  sim->inject(fault);
  auto api = sim_clock_client();
  // A reused connection: libcurl itself would re-send a request whose connection died
  // unanswered; the transport must not let it do that to a POST.
  ASSERT_TRUE(api->version());
  auto upid = api->start_vzdump("pve1", request());
  ASSERT_TRUE(upid) << upid.error().message;
  EXPECT_EQ(sim->stats().tasks_started, 1u);
  const std::vector<std::string> expected = {
      "GET /api2/json/version", "POST /api2/json/nodes/pve1/vzdump",
      "GET /api2/json/nodes/pve1/tasks", "POST /api2/json/nodes/pve1/vzdump"};
  EXPECT_EQ(sim->request_log(), expected);
}

TEST_F(ClientIntegrationTest, SlowAnswerHitsTheRequestTimeout) {
  start();
  pvesim::Fault fault;
  fault.kind = pvesim::Fault::Kind::slow;
  fault.delay_ms = 1000;
  fault.path_contains = "/version";
  fault.count = 3;
  sim->inject(fault);
  auto t = transport_options();
  t.request_timeout = std::chrono::milliseconds(300);
  auto transport = make_curl_transport(t);
  ASSERT_TRUE(transport);
  ClientOptions o;
  o.retry.attempts = 1;
  Client api(std::move(*transport), o);
  auto v = api.version();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, Error::Kind::timeout) << v.error().message;
}

TEST_F(ClientIntegrationTest, UntrustedCertificateIsRefusedBeforeAnyRequest) {
  start();
  // A CA that did not sign the simulator's certificate: the system's own bundle.
  auto t = transport_options();
  t.ca_file = "/etc/ssl/certs/ca-certificates.crt";
  auto api = client(t);
  auto v = api->version();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, Error::Kind::tls) << v.error().message;
  EXPECT_NE(v.error().message.find("pvenode cert info"), std::string::npos);
  EXPECT_EQ(sim->request_count(), 0u);
}

TEST_F(ClientIntegrationTest, PinnedFingerprintMismatchSendsNothing) {
  start();
  auto t = transport_options();
  std::string wrong = sim->leaf_fingerprint();
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  t.fingerprint = wrong;
  auto api = client(t);
  auto v = api->version();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, Error::Kind::tls);
  EXPECT_NE(v.error().message.find(wrong), std::string::npos);
  EXPECT_NE(v.error().message.find(sim->leaf_fingerprint()), std::string::npos);
  EXPECT_EQ(sim->request_count(), 0u);
}

TEST_F(ClientIntegrationTest, WrongCertificateFromTheSameCaIsCaughtByThePin) {
  start();
  pvesim::Fault fault;
  fault.kind = pvesim::Fault::Kind::wrong_certificate;
  fault.count = 5;
  sim->inject(fault);
  auto t = transport_options();
  t.fingerprint = sim->leaf_fingerprint();
  auto api = client(t);
  auto v = api->version();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, Error::Kind::tls) << v.error().message;
  EXPECT_EQ(sim->request_count(), 0u);
}

TEST_F(ClientIntegrationTest, MissingPrivilegeNamesItAndTheRole) {
  pvesim::Token token = pvesim::default_token();
  token.privileges = {"VM.Audit", "Datastore.Audit"};
  options.tokens = {token};
  start();
  auto api = client();
  auto upid = api->start_vzdump("pve1", backup_request());
  ASSERT_FALSE(upid);
  EXPECT_EQ(upid.error().kind, Error::Kind::permission);
  EXPECT_NE(upid.error().message.find("Datastore.AllocateSpace"), std::string::npos)
      << upid.error().message;
  EXPECT_NE(upid.error().message.find("PVEVMUser"), std::string::npos);
}

}  // namespace
}  // namespace proxmox
