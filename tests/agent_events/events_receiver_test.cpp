// agent/events/ over the real HTTP client (libcurl, certificates verified) against a local
// HTTPS receiver on 127.0.0.1 (cpp-httplib, a throwaway CA from the simulator's TLS material):
// pings in order, the webhook's JSON and Authorization header, a receiver that hangs (the event
// ends within its budget), one that answers 500 (retried boundedly), a certificate from another
// CA (refused before anything is sent), and no secret in what is sent, logged or reported.
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "agent/core/log.hpp"
#include "agent/events/http_run_events.hpp"
#include "tests/pvesim/tls_material.hpp"

namespace agent::events {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// One HTTPS receiver; what it does with a request is `mode`.
class Receiver {
 public:
  enum class Mode { ok, error500, hang };
  struct Hit {
    std::string path, body, content_type, authorization;
  };

  Receiver(const pvesim::TlsMaterial& served, const fs::path& dir) {
    fs::create_directories(dir);
    write(dir / "leaf.pem", served.leaf_pem);
    write(dir / "leaf.key", served.leaf_key_pem);
    m_server = std::make_unique<httplib::SSLServer>((dir / "leaf.pem").c_str(),
                                                    (dir / "leaf.key").c_str());
    m_server->Post(R"(.*)", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(m_mutex);
        m_hits.push_back({req.path, req.body, req.get_header_value("Content-Type"),
                          req.get_header_value("Authorization")});
      }
      switch (mode.load()) {
        case Mode::ok:
          res.set_content("OK", "text/plain");
          return;
        case Mode::error500:
          res.status = 500;
          res.set_content("internal error", "text/plain");
          return;
        case Mode::hang: {
          std::unique_lock lock(m_mutex);
          m_release.wait_for(lock, 60s, [this] { return m_released; });
          res.set_content("late", "text/plain");
          return;
        }
      }
    });
    m_port = m_server->bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    for (int i = 0; i < 2000 && !m_server->is_running(); ++i) std::this_thread::sleep_for(1ms);
  }
  ~Receiver() {
    {
      std::lock_guard lock(m_mutex);
      m_released = true;
    }
    m_release.notify_all();
    m_server->stop();
    if (m_thread.joinable()) m_thread.join();
  }
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(m_port) + path;
  }
  std::vector<Hit> hits() {
    std::lock_guard lock(m_mutex);
    return m_hits;
  }
  bool valid() const { return m_server && m_server->is_valid() && m_port > 0; }

  std::atomic<Mode> mode{Mode::ok};

 private:
  std::unique_ptr<httplib::SSLServer> m_server;
  int m_port = 0;
  std::thread m_thread;
  std::mutex m_mutex;
  std::condition_variable m_release;
  bool m_released = false;
  std::vector<Hit> m_hits;
};

const std::string k_uuid = "5f1d0c3e-9b2a-4e61-8c7d-2a9f4b6e1d30";
const std::string k_authorization = "Bearer wh-7c1e5a-very-secret";
const std::string k_password = "mongo-pw-e2e-88";

class EventsOverHttps : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("events_receiver_test." + std::to_string(::getpid()) + "." +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    auto tls = pvesim::make_tls_material("receiver");
    ASSERT_TRUE(tls) << tls.error();
    m_tls = *tls;
    write(m_dir / "ca.pem", m_tls.ca_pem);
    receiver = std::make_unique<Receiver>(m_tls, m_dir / "receiver");
    ASSERT_TRUE(receiver->valid());
    // The events' log lines, kept here (the program's log sink would redact registered
    // secrets anyway; this checks the events layer never writes them in the first place).
    m_previous_logger = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(m_log);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("events_test", sink));
    register_secret(k_password);
  }
  void TearDown() override {
    receiver.reset();
    spdlog::set_default_logger(m_previous_logger);
    fs::remove_all(m_dir);
  }

  EventsConfig config(int timeout_s = 10) const {
    EventsConfig e;
    e.ping_start = receiver->url("/" + k_uuid + "/start");
    e.ping_success = receiver->url("/" + k_uuid);
    e.ping_fail = receiver->url("/" + k_uuid + "/fail");
    e.webhook_url = receiver->url("/hook/" + k_uuid);
    e.webhook_include_messages = true;
    e.ca_file = m_dir / "ca.pem";
    e.timeout_s = timeout_s;
    return e;
  }
  std::unique_ptr<HttpRunEvents> events(const EventsConfig& e) const {
    return std::make_unique<HttpRunEvents>(e, k_authorization, "", send_options_for(e));
  }

  static RunEventData start() {
    RunEventData r;
    r.run_id = "20261203T020000Z";
    r.started_epoch = 1796263200;
    r.result = "start";
    return r;
  }
  static RunEventData finished(bool failed) {
    RunEventData r = start();
    r.result = failed ? "fail" : "success";
    r.exit_code = failed ? 1 : 0;
    r.seconds = 42.5;
    r.steps.push_back({"smoker",
                       "vzdump",
                       "backup",
                       "ok",
                       "",
                       "local:backup/vzdump-lxc-106.tar.zst",
                       987654321,
                       40.0,
                       "",
                       {}});
    r.steps.push_back(
        {"smoker",
         "mongo",
         "backup",
         failed ? "failed" : "ok",
         failed ? "access" : "",
         "",
         0,
         2.5,
         failed ? "mongodump: authentication failed (password " + k_password + ")" : "",
         {}});
    return r;
  }

  // Nothing that identifies the checks or authorizes the webhook leaves in a log line or a
  // summary line; the mongo password leaves nowhere.
  void expect_no_secret(const std::vector<EventDelivery>& deliveries) {
    std::string shown = m_log.str();
    for (const auto& d : deliveries) shown += describe(d) + "\n";
    for (const std::string& secret : {k_uuid, k_authorization, k_password}) {
      EXPECT_EQ(shown.find(secret), std::string::npos) << secret << " in:\n" << shown;
    }
    for (const auto& hit : receiver->hits()) {
      EXPECT_EQ(hit.body.find(k_password), std::string::npos) << hit.body;
      EXPECT_EQ(hit.body.find(k_authorization), std::string::npos) << hit.body;
    }
  }

  fs::path m_dir;
  pvesim::TlsMaterial m_tls;
  std::unique_ptr<Receiver> receiver;
  std::ostringstream m_log;
  std::shared_ptr<spdlog::logger> m_previous_logger;
};

TEST_F(EventsOverHttps, AGoodRunArrivesAsStartThenSuccessThenTheWebhook) {
  auto e = events(config());
  auto deliveries = e->run_started(start());
  const auto end = e->run_finished(finished(false));
  deliveries.insert(deliveries.end(), end.begin(), end.end());
  ASSERT_EQ(deliveries.size(), 3u);
  for (const auto& d : deliveries) {
    EXPECT_EQ(d.state, EventDelivery::State::sent) << describe(d);
    EXPECT_EQ(d.http_status, 200);
    EXPECT_EQ(d.attempts, 1);
  }
  const auto hits = receiver->hits();
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].path, "/" + k_uuid + "/start");
  EXPECT_EQ(hits[1].path, "/" + k_uuid);
  EXPECT_EQ(hits[2].path, "/hook/" + k_uuid);
  EXPECT_NE(hits[0].body.find("pve-smokerbak run 20261203T020000Z: started"), std::string::npos)
      << hits[0].body;
  EXPECT_NE(hits[1].body.find("success (exit 0)"), std::string::npos) << hits[1].body;
  EXPECT_NE(hits[1].body.find("smoker vzdump backup: ok, "), std::string::npos) << hits[1].body;
  EXPECT_EQ(hits[0].authorization, "");
  EXPECT_EQ(hits[2].authorization, k_authorization);
  EXPECT_EQ(hits[2].content_type, "application/json");
  const auto j = nlohmann::json::parse(hits[2].body);
  EXPECT_EQ(j["event"], "run.finished");
  EXPECT_EQ(j["run_id"], "20261203T020000Z");
  EXPECT_EQ(j["result"], "success");
  EXPECT_EQ(j["steps"][0]["backup_bytes"], 987654321);
  EXPECT_DOUBLE_EQ(j["steps"][0]["duration_s"].get<double>(), 40.0);
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 42.5);
  expect_no_secret(deliveries);
}

TEST_F(EventsOverHttps, AFailedRunArrivesAsStartThenFailWithTheKindAndAScrubbedExcerpt) {
  auto e = events(config());
  auto deliveries = e->run_started(start());
  const auto end = e->run_finished(finished(true));
  deliveries.insert(deliveries.end(), end.begin(), end.end());
  const auto hits = receiver->hits();
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].path, "/" + k_uuid + "/start");
  EXPECT_EQ(hits[1].path, "/" + k_uuid + "/fail");
  EXPECT_NE(hits[1].body.find("smoker mongo backup: failed (access)"), std::string::npos)
      << hits[1].body;
  const auto j = nlohmann::json::parse(hits[2].body);
  EXPECT_EQ(j["result"], "fail");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["steps"][1]["error_kind"], "access");
  const std::string excerpt = j["steps"][1]["error"];
  EXPECT_NE(excerpt.find("authentication failed"), std::string::npos) << excerpt;
  expect_no_secret(deliveries);
}

TEST_F(EventsOverHttps, AHangingReceiverCostsAtMostTheBudgetAndIsReported) {
  receiver->mode = Receiver::Mode::hang;
  auto e = events(config(2));
  const auto t0 = std::chrono::steady_clock::now();
  const auto end = e->run_finished(finished(false));
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(end.size(), 2u);
  for (const auto& d : end) {
    EXPECT_EQ(d.state, EventDelivery::State::failed) << describe(d);
    EXPECT_LE(d.seconds, 2.5) << describe(d);
    EXPECT_NE(describe(d).find("(the backups are not affected)"), std::string::npos);
  }
  // Two events of 2 s each, plus the TLS handshakes.
  EXPECT_LT(took, 6s);
  EXPECT_NE(m_log.str().find("FAILED after"), std::string::npos) << m_log.str();
  expect_no_secret(end);
}

TEST_F(EventsOverHttps, A500IsRetriedThreeTimesAtMostAndReported) {
  receiver->mode = Receiver::Mode::error500;
  EventsConfig c = config(10);
  c.webhook_url.clear();
  c.ping_start.clear();
  auto events = std::make_unique<HttpRunEvents>(c, "", "", [&] {
    SendOptions o = send_options_for(c);
    o.backoff = 100ms;  // the real 1 s, 2 s waits would only slow the test down
    return o;
  }());
  const auto end = events->run_finished(finished(false));
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].state, EventDelivery::State::failed);
  EXPECT_EQ(end[0].attempts, 3);
  EXPECT_EQ(end[0].http_status, 500);
  EXPECT_EQ(receiver->hits().size(), 3u);
  EXPECT_NE(describe(end[0]).find("FAILED after 3 attempts"), std::string::npos)
      << describe(end[0]);
  expect_no_secret(end);
}

TEST_F(EventsOverHttps, ACertificateFromAnotherCaIsRefusedAndNothingIsSent) {
  auto other = pvesim::make_tls_material("impostor");
  ASSERT_TRUE(other) << other.error();
  Receiver impostor(*other, m_dir / "impostor");
  ASSERT_TRUE(impostor.valid());
  EventsConfig c = config();
  c.ping_success = impostor.url("/" + k_uuid);
  c.webhook_url.clear();
  auto e = events(c);
  const auto end = e->run_finished(finished(false));
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].state, EventDelivery::State::failed);
  EXPECT_EQ(end[0].attempts, 1) << "a refused certificate is not retried";
  EXPECT_TRUE(impostor.hits().empty());
  expect_no_secret(end);
}

TEST_F(EventsOverHttps, PlainHttpIsRefusedUnlessAllowedForLoopback) {
  EventsConfig c = config();
  c.ping_success = "http://127.0.0.1:9/" + k_uuid;
  c.webhook_url.clear();
  auto e = events(c);
  const auto end = e->run_finished(finished(false));
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].state, EventDelivery::State::failed);
  EXPECT_NE(end[0].detail.find("only https://"), std::string::npos) << end[0].detail;
  expect_no_secret(end);
}

TEST_F(EventsOverHttps, ADryRunSendsNothing) {
  auto e = events(config());
  auto s = start();
  s.dry_run = true;
  auto f = finished(false);
  f.dry_run = true;
  auto deliveries = e->run_started(s);
  const auto end = e->run_finished(f);
  deliveries.insert(deliveries.end(), end.begin(), end.end());
  ASSERT_EQ(deliveries.size(), 3u);
  for (const auto& d : deliveries) EXPECT_EQ(d.state, EventDelivery::State::would_send);
  EXPECT_TRUE(receiver->hits().empty());
  expect_no_secret(deliveries);
}

}  // namespace
}  // namespace agent::events
