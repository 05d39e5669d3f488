// Fault injection: HTTP statuses, slow answers, dropped connections, failing tasks,
// truncated archives and a certificate that does not match the pin.
#include <chrono>

#include "tests/pvesim/tests/sim_fixture.hpp"

namespace pvesim::testing {
namespace {

TEST_F(SimTest, HttpStatusFaultAnswersTheNextMatchingRequestsOnly) {
  start();
  sim->inject({Fault::Kind::http_status, 596, "Connection timed out", 0, "GET", "/version", 2});
  auto r = client->get("/cluster/resources");
  EXPECT_EQ(r.status, 200);
  r = client->get("/version");
  EXPECT_EQ(r.status, 596);
  EXPECT_EQ(r.reason, "Connection timed out");
  EXPECT_EQ(client->get("/version").status, 596);
  EXPECT_EQ(client->get("/version").status, 200);
}

TEST_F(SimTest, ServiceUnavailableFaultKeepsTheJsonEnvelope) {
  start();
  sim->inject({Fault::Kind::http_status, 503, "", 0, "", "", 1});
  const auto r = client->get("/version");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.reason, "Service Unavailable");
  EXPECT_TRUE(r.json["data"].is_null());
}

TEST_F(SimTest, DroppedConnectionGivesTheClientATransportError) {
  start();
  sim->inject({Fault::Kind::drop_connection, 0, "", 0, "", "/version", 1});
  EXPECT_FALSE(client->get("/version").transport_ok);
  EXPECT_EQ(client->get("/version").status, 200);
}

TEST_F(SimTest, SlowFaultDelaysButAnswers) {
  start();
  sim->inject({Fault::Kind::slow, 0, "", 150, "", "", 1});
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(client->get("/version").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(150));
}

TEST_F(SimTest, JobErrorsFaultFailsTheNextVzdumpWithoutAnArchive) {
  start();
  sim->inject(Fault::of(Fault::Kind::task_job_errors));
  const std::string upid = start_backup();
  sim->advance(2);
  EXPECT_EQ(task_status(upid)["exitstatus"], "job errors");
  EXPECT_TRUE(sim->volids().empty());
  EXPECT_EQ(sim->guest_lock(106), "");
  const std::string next = start_backup();
  sim->advance(2);
  EXPECT_EQ(task_status(next)["exitstatus"], "OK");
}

TEST_F(SimTest, TruncatedArchiveFaultCutsTheArchiveButTheTaskSucceeds) {
  start();
  sim->inject(Fault::of(Fault::Kind::truncated_archive));
  const std::string upid = start_backup();
  sim->advance(2);
  EXPECT_EQ(task_status(upid)["exitstatus"], "OK");
  ASSERT_EQ(sim->volids().size(), 1u);
  EXPECT_EQ(
      count_tar_members_zst(sim->storage_dir() / "vzdump-lxc-106-2026_01_15-02_00_00.tar.zst"), -1);
}

TEST_F(SimTest, GzipCompressionWritesATarGz) {
  start();
  start_backup({{"compress", "gzip"}});
  sim->advance(2);
  ASSERT_EQ(sim->volids().size(), 1u);
  const auto path = sim->storage_dir() / "vzdump-lxc-106-2026_01_15-02_00_00.tar.gz";
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  EXPECT_EQ(magic[0], 0x1f);
  EXPECT_EQ(magic[1], 0x8b);
}

TEST_F(SimTest, WrongCertificateFaultServesALeafThatVerifiesButMissesThePin) {
  start();
  bool verified = false;
  EXPECT_EQ(served_fingerprint(sim->port(), sim->ca_file(), verified), sim->leaf_fingerprint());
  EXPECT_TRUE(verified);
  sim->inject(Fault::of(Fault::Kind::wrong_certificate));
  const std::string wrong = served_fingerprint(sim->port(), sim->ca_file(), verified);
  EXPECT_TRUE(verified);
  EXPECT_FALSE(wrong.empty());
  EXPECT_NE(wrong, sim->leaf_fingerprint());
  EXPECT_EQ(served_fingerprint(sim->port(), sim->ca_file(), verified), sim->leaf_fingerprint());
}

TEST_F(SimTest, FingerprintIsUppercaseColonHexSha256) {
  start();
  const std::string fp = sim->leaf_fingerprint();
  EXPECT_EQ(fp.size(), 32u * 3 - 1);
  EXPECT_EQ(fp.find_first_not_of("0123456789ABCDEF:"), std::string::npos);
}

TEST_F(SimTest, ControlEndpointsNeedTheControlSecret) {
  Options o = base_options();
  sim = std::make_unique<Simulator>(o);
  bool shutdown_asked = false;
  sim->enable_control("ctl-secret", [&] { shutdown_asked = true; });
  ASSERT_TRUE(sim->start());
  client = std::make_unique<SimClient>(*sim);
  EXPECT_EQ(client->raw("GET", "/_sim/clock", {{"Authorization", client->authorization}}).status,
            403);
  const std::map<std::string, std::string> ctl = {{"X-PveSim-Control", "ctl-secret"},
                                                  {"Content-Type", "application/json"}};
  auto r = client->raw("POST", "/_sim/clock", ctl, R"({"advance":3600})");
  EXPECT_EQ(r.json["now"], k_start + 3600);
  EXPECT_EQ(sim->now(), k_start + 3600);
  r = client->raw("POST", "/_sim/fault", ctl, R"({"kind":"http_status","status":595})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(client->get("/version").status, 595);
  r = client->raw("POST", "/_sim/lock", ctl, R"({"vmid":106,"lock":"migrate"})");
  EXPECT_EQ(sim->guest_lock(106), "migrate");
  r = client->raw("GET", "/_sim/stats", ctl);
  EXPECT_EQ(r.json["requests"], 1);
  client->raw("POST", "/_sim/shutdown", ctl, "{}");
  EXPECT_TRUE(shutdown_asked);
}

}  // namespace
}  // namespace pvesim::testing
