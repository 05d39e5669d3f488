// The client against the simulator's hostile modes (issue 11): typed errors or data, never a
// crash; lies in listings are refused.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <chrono>

#include "proxmox/task_log.hpp"
#include "tests/proxmox/sim_fixture.hpp"

namespace proxmox {
namespace {

using testing::ClientIntegrationTest;
using testing::k_start;

TEST_F(ClientIntegrationTest, ListingEntriesThatLieAreRefusedAndOddTextSurvives) {
  start();
  const std::string own = sim->seed_backup(106, k_start - 3600);
  pvesim::Hostile h = pvesim::Hostile::of(pvesim::Hostile::Kind::listing_entries);
  h.entries = {
      R"({"volid":"local:backup/../../etc/x","content":"backup","subtype":"lxc","vmid":106,"ctime":1})",
      R"({"volid":"local:backup/vzdump-lxc-999-2026_01_01-00_00_00.tar.zst","subtype":"lxc","vmid":106,"ctime":2})",
      R"({"volid":"local:backup/vzdump-qemu-106-2026_01_01-00_00_00.vma.zst","subtype":"lxc","vmid":106,"ctime":3})",
      R"({"volid":"local:backup/vzdump-lxc-106-2026_01_01-00_00_00.tar.zst","subtype":"lxc","vmid":106,"ctime":4,"notes":"not for smokerbak: keep"})",
      "{\"volid\":\"local:backup/vzdump-lxc-106-2026_01_02-00_00_00.tar.zst\",\"subtype\":\"lxc\","
      "\"vmid\":106,\"ctime\":5,\"notes\":\"x\xFF\\u001b[2J\\r\\u001b]0;t\\u0007\"}"};
  sim->add_hostile(h);
  auto api = client();
  auto listing = api->list_backups_checked("pve1", "local", 106);
  ASSERT_TRUE(listing) << listing.error().message;
  ASSERT_EQ(listing->rejected.size(), 3u);
  ASSERT_EQ(listing->volumes.size(), 3u);  // the two odd-noted ones and the real one
  EXPECT_EQ(listing->volumes[0].notes, "not for smokerbak: keep");
  EXPECT_EQ(listing->volumes[1].notes, "x\xEF\xBF\xBD\x1b[2J\r\x1b]0;t\x07");
  EXPECT_EQ(listing->volumes[2].volid, own);

  // A raw control character inside a JSON string is not JSON: a typed parse error.
  sim->clear_hostile();
  h.entries = {"{\"volid\":\"local:backup/x.tar\",\"notes\":\"\x1b[2J\"}"};
  sim->add_hostile(h);
  auto broken = api->list_backups_checked("pve1", "local", 106);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().kind, Error::Kind::parse);
}

TEST_F(ClientIntegrationTest, JsonNested100kDeepIsAParseError) {
  start();
  pvesim::Hostile h = pvesim::Hostile::of(pvesim::Hostile::Kind::deep_json);
  h.depth = 100000;
  h.count = 5;
  sim->add_hostile(h);
  auto api = client();
  auto list = api->list_backups("pve1", "local", 106);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().kind, Error::Kind::parse);
}

TEST_F(ClientIntegrationTest, DrippingAnswerEndsAtTheRequestDeadline) {
  start();
  pvesim::Hostile h = pvesim::Hostile::of(pvesim::Hostile::Kind::drip);
  h.interval_ms = 400;
  h.count = 5;
  sim->add_hostile(h);
  auto t = transport_options();
  t.request_timeout = std::chrono::milliseconds(1000);
  auto transport = make_curl_transport(t);
  ASSERT_TRUE(transport);
  ClientOptions o;
  o.retry.attempts = 1;
  Client api(std::move(*transport), o);
  const auto t0 = std::chrono::steady_clock::now();
  auto v = api.version();
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().kind, Error::Kind::timeout) << v.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST_F(ClientIntegrationTest, LargeBodyIsDataNotACrash) {
  // The body cap of the http/ module bounds what is read; this only shows that a large,
  // valid answer of junk entries decodes and is filtered.
  start();
  pvesim::Hostile h = pvesim::Hostile::of(pvesim::Hostile::Kind::huge_body);
  h.bytes = 8 << 20;
  sim->add_hostile(h);
  auto api = client();
  auto list = api->list_backups_checked("pve1", "local", 106);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_TRUE(list->volumes.empty());  // no subtype: not a container's backup
}

TEST_F(ClientIntegrationTest, AnAnswerBeyondTheBodyCapStopsTheTransferWithATypedError) {
  // 64 MiB of listing: the transport stops at its 8 MiB cap (http::k_default_max_body) instead
  // of reading it all into memory, and says so.
  start();
  pvesim::Hostile h = pvesim::Hostile::of(pvesim::Hostile::Kind::huge_body);
  h.bytes = 64 << 20;
  h.count = 100;  // every retry gets it too
  sim->add_hostile(h);
  auto api = client();
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  auto list = api->list_backups_checked("pve1", "local", 106);
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  ASSERT_FALSE(list);
  EXPECT_NE(list.error().message.find("is larger than the 8388608 bytes allowed"),
            std::string::npos)
      << list.error().message;
  EXPECT_LT((after.ru_maxrss - before.ru_maxrss) / 1024, 48) << "peak RSS grew too much";
}

TEST_F(ClientIntegrationTest, HostileTaskLogLinesReachTheCallerVerbatimAndFakeArchivesAreIgnored) {
  start();
  pvesim::Hostile h = pvesim::Hostile::of(pvesim::Hostile::Kind::task_log_lines);
  h.lines = {"INFO: creating vzdump archive '/etc/shadow'", "INFO: \x1b[31mred\r\xFF"};
  sim->add_hostile(h);
  auto api = client();
  auto upid = api->start_vzdump("pve1", backup_request());
  ASSERT_TRUE(upid) << upid.error().message;
  std::vector<std::string> lines;
  auto wait = fast_wait();
  wait.on_log_line = [&](const std::string& l) { lines.push_back(l); };
  ASSERT_TRUE(api->wait_task("pve1", *upid, wait));
  // The injected line came before the real archive line here, so the first form wins; the
  // caller must still check the volid against the listing (it is not this guest's file).
  EXPECT_NE(std::find(lines.begin(), lines.end(), "INFO: \x1b[31mred\r\xEF\xBF\xBD"), lines.end());
  const auto line = find_archive_line(lines);
  ASSERT_TRUE(line);
  auto listing = api->list_backups("pve1", "local", 106);
  ASSERT_TRUE(listing && listing->size() == 1u);
  EXPECT_NE(listing->front().volid, archive_volid(*line, "local"));
}

}  // namespace
}  // namespace proxmox
