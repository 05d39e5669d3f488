// The simulator's hostile modes (issue 11) deliver what they promise, cheaply.
#include <httplib.h>
#include <sys/resource.h>

#include <chrono>

#include "tests/pvesim/tests/sim_fixture.hpp"

namespace pvesim::testing {
namespace {

// ASan keeps freed memory in quarantine and makes the stream slow: a smaller body there, and
// no RSS claim.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool k_sanitized = true;
#else
constexpr bool k_sanitized = false;
#endif

long max_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST_F(SimTest, DeepJsonAnswerIsNestedAsAsked) {
  start();
  Hostile h = Hostile::of(Hostile::Kind::deep_json);
  h.depth = 100000;
  h.path_contains = "/version";
  sim->add_hostile(h);
  const auto r = client->get("/version");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), std::string("{\"data\":}").size() + 200000);
  EXPECT_EQ(client->get("/version").json["data"]["version"], "9.2.11");  // one-shot
}

TEST_F(SimTest, HugeBodyIsStreamedWithoutTheSimulatorHoldingIt) {
  start();
  Hostile h = Hostile::of(Hostile::Kind::huge_body);
  const std::uint64_t bytes = k_sanitized ? 8ULL << 20 : 128ULL << 20;
  h.bytes = bytes;
  sim->add_hostile(h);
  httplib::SSLClient c("127.0.0.1", sim->port());
  c.set_ca_cert_path(sim->ca_file().c_str());
  c.enable_server_certificate_verification(true);
  c.set_read_timeout(60);
  std::uint64_t received = 0;
  std::string head;
  const long before = max_rss_kib();
  auto res = c.Get("/api2/json/nodes/pve1/storage/local/content",
                   httplib::Headers{{"Authorization", client->authorization}},
                   [&](const char* data, std::size_t n) {
                     if (head.size() < 20) head.append(data, std::min<std::size_t>(n, 20));
                     received += n;
                     return true;
                   });
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_GE(received, bytes - 200);
  EXPECT_LE(received, bytes);
  EXPECT_EQ(head.rfind("{\"data\":[{\"volid\"", 0), 0u);
  // Server and reader together stay far below the body's size.
  if (!k_sanitized) {
    EXPECT_LT(max_rss_kib() - before, 48 * 1024);
  }
}

TEST_F(SimTest, DripSendsOneByteAtATime) {
  start();
  Hostile h = Hostile::of(Hostile::Kind::drip);
  h.interval_ms = 50;
  sim->add_hostile(h);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = client->get("/version");
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.body, "{\"data\":null}");
  EXPECT_GE(elapsed, std::chrono::milliseconds(50 * 13));
}

TEST_F(SimTest, HostileListingEntriesAreSplicedInRaw) {
  start();
  sim->seed_backup(106, k_start - 60);
  Hostile h = Hostile::of(Hostile::Kind::listing_entries);
  h.entries = {R"({"volid":"local:backup/../../etc/x","subtype":"lxc","vmid":106})",
               "{\"volid\":\"local:backup/vzdump-lxc-106-2026_01_01-00_00_00.tar.zst\",\"notes\":"
               "\"bad \xFF\x1b[2J\",\"subtype\":\"lxc\",\"vmid\":106}"};
  sim->add_hostile(h);
  const auto r = client->get("/nodes/pve1/storage/local/content", {{"vmid", "106"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("../../etc/x"), std::string::npos);
  EXPECT_NE(r.body.find("\xFF"), std::string::npos);  // not valid JSON text any more
  sim->clear_hostile();
  EXPECT_EQ(client->get("/nodes/pve1/storage/local/content").json["data"].size(), 1u);
}

TEST_F(SimTest, HostileTaskLogLinesFollowTheCommandLine) {
  start();
  Hostile h = Hostile::of(Hostile::Kind::task_log_lines);
  h.lines = {"INFO: \x1b]0;owned\x07 evil\rINFO: fake",
             "INFO: creating vzdump archive '/etc/shadow'"};
  sim->add_hostile(h);
  const std::string upid = start_backup();
  sim->advance(10);
  const auto log = client->get("/nodes/pve1/tasks/" + upid + "/log", {{"limit", "0"}});
  EXPECT_EQ(log.json["data"][1]["t"], "INFO: \x1b]0;owned\x07 evil\rINFO: fake");
  EXPECT_EQ(task_status(upid)["exitstatus"], "OK");
}

}  // namespace
}  // namespace pvesim::testing
