// agent/events/ without a network: URLs shown without their secret, the bodies' content and
// scrubbing, send_event's budget and retry rules over a scripted http::Transport on a manual
// steady clock, and HttpRunEvents' choice and order of events.
#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include <nlohmann/json.hpp>

#include "agent/core/log.hpp"
#include "agent/events/event_body.hpp"
#include "agent/events/event_sender.hpp"
#include "agent/events/event_url.hpp"
#include "agent/events/http_run_events.hpp"

namespace agent::events {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(EventUrl, OnlySchemeAndHostAreShown) {
  EXPECT_EQ(shown_url("https://hc-ping.com/0b6a5d2c-1f3e-4c5a-9d8e-7f6a5b4c3d2e/start"),
            "https://hc-ping.com/…");
  EXPECT_EQ(shown_url("https://hooks.example:8443/x?token=abc"), "https://hooks.example:8443/…");
  EXPECT_EQ(shown_url("https://hooks.example"), "https://hooks.example");
  EXPECT_EQ(shown_url("https://hooks.example/"), "https://hooks.example");
  EXPECT_EQ(shown_url("http://127.0.0.1:9000/p"), "http://127.0.0.1:9000/…");
  EXPECT_EQ(shown_url("not a url"), "(URL)");
  EXPECT_EQ(shown_url("https://user:pw@host/x"), "(URL)");
}

TEST(EventUrl, HideUrlRemovesTheUrlAndItsPathFromMessages) {
  const std::string url = "https://hc-ping.com/0b6a5d2c-uuid/fail?x=1";
  EXPECT_EQ(hide_url("POST https://hc-ping.com/0b6a5d2c-uuid/fail timed out", url),
            "POST https://hc-ping.com/… timed out");
  EXPECT_EQ(hide_url("at /0b6a5d2c-uuid/fail?x=1 it broke", url), "at /… it broke");
  EXPECT_EQ(hide_url("nothing here", url), "nothing here");
}

TEST(EventUrl, PlainLoopbackIsRecognisedExactly) {
  EXPECT_TRUE(is_plain_loopback_url("http://127.0.0.1:8080/ping"));
  EXPECT_TRUE(is_plain_loopback_url("http://[::1]/ping"));
  EXPECT_FALSE(is_plain_loopback_url("http://127.0.0.1.evil.example/ping"));
  EXPECT_FALSE(is_plain_loopback_url("http://localhost/ping"));
  EXPECT_FALSE(is_plain_loopback_url("https://127.0.0.1/ping"));
}

TEST(ScrubExcerpt, SecretsUrlsAndKeyedValuesAreRemovedAndTheTextIsBounded) {
  register_secret("s3cr3t-token-value-42");
  const std::string s = scrub_excerpt(
      "login failed with s3cr3t-token-value-42 at https://pve.example:8006/api2/json/nodes?x=1; "
      "password=hunter2 token: abc.def Authorization: PVEAPIToken=root@pam!t=uuid\nnext\x1b[1m");
  EXPECT_EQ(s.find("s3cr3t-token-value-42"), std::string::npos) << s;
  EXPECT_EQ(s.find("hunter2"), std::string::npos) << s;
  EXPECT_EQ(s.find("abc.def"), std::string::npos) << s;
  EXPECT_EQ(s.find("api2"), std::string::npos) << s;
  EXPECT_EQ(s.find("root@pam"), std::string::npos) << s;
  EXPECT_NE(s.find("https://pve.example:8006/…"), std::string::npos) << s;
  EXPECT_EQ(s.find('\n'), std::string::npos) << s;
  EXPECT_EQ(s.find('\x1b'), std::string::npos) << s;
  const std::string long_text(5000, 'a');
  EXPECT_LE(scrub_excerpt(long_text, 100).size(), 100u);
  const std::string utf8 = scrub_excerpt(std::string(99, 'a') + "ü", 100);  // ü = 2 bytes
  EXPECT_LE(utf8.size(), 100u);
  EXPECT_EQ(utf8.substr(utf8.size() - 3), "…");
}

RunEventData finished_run(bool failed) {
  RunEventData run;
  run.run_id = "20260101T010000Z";
  run.started_epoch = 1767229200;
  run.seconds = 12.3456;
  run.result = failed ? "fail" : "success";
  run.exit_code = failed ? 1 : 0;
  EventStep vz{"smoker", "vzdump", "backup", "ok", "", "local:backup/vzdump-lxc-106.tar.zst",
               1234567,  10.5,     "",       {}};
  EventStep mg{"smoker",
               "mongo",
               "backup",
               failed ? "failed" : "ok",
               failed ? "access" : "",
               "",
               0,
               1.25,
               failed ? "mongodump: authentication failed for password=hunter2" : "",
               {"shrank by 60%"}};
  run.steps = {vz, mg};
  return run;
}

TEST(WebhookBody, CarriesResultsKindsSizesAndDurationsButNoMessagesByDefault) {
  const auto j = nlohmann::json::parse(webhook_body(finished_run(true), false));
  EXPECT_EQ(j["event"], "run.finished");
  EXPECT_EQ(j["run_id"], "20260101T010000Z");
  EXPECT_EQ(j["result"], "fail");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["started_at"], "2026-01-01T01:00:00Z");
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 12.346);
  ASSERT_EQ(j["steps"].size(), 2u);
  EXPECT_EQ(j["steps"][0]["backup_bytes"], 1234567);
  EXPECT_EQ(j["steps"][0]["error_kind"], nullptr);
  EXPECT_EQ(j["steps"][1]["error_kind"], "access");
  EXPECT_EQ(j["steps"][1]["warnings"], 1);
  EXPECT_FALSE(j["steps"][1].contains("error"));
  EXPECT_FALSE(j["steps"][1].contains("warning_texts"));
  const std::string text = j.dump();
  EXPECT_EQ(text.find("authentication"), std::string::npos);
  EXPECT_EQ(text.find("shrank"), std::string::npos);
}

TEST(WebhookBody, IncludeMessagesAddsScrubbedExcerpts) {
  const auto j = nlohmann::json::parse(webhook_body(finished_run(true), true));
  const std::string error = j["steps"][1]["error"];
  EXPECT_NE(error.find("authentication failed"), std::string::npos);
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_EQ(j["steps"][1]["warning_texts"][0], "shrank by 60%");
}

TEST(PingBody, SaysTheResultPerStepAndIsBounded) {
  const std::string body = ping_body(finished_run(true), false);
  EXPECT_NE(body.find("pve-smokerbak run 20260101T010000Z: fail (exit 1)"), std::string::npos)
      << body;
  EXPECT_NE(body.find("smoker mongo backup: failed (access)"), std::string::npos) << body;
  EXPECT_EQ(body.find("authentication"), std::string::npos);
  RunEventData many = finished_run(false);
  for (int i = 0; i < 500; ++i) many.steps.push_back(many.steps[0]);
  EXPECT_LE(ping_body(many, false).size(), k_ping_body_bytes);
}

// A scripted transport: each send() takes the next answer, advances the manual clock by its
// `takes` (a hanging receiver takes the whole request timeout), and records the request.
struct Script {
  struct Answer {
    int status = 200;
    std::optional<http::Error::Kind> error;
    std::chrono::milliseconds takes{10};
    bool hang = false;  // takes the request's whole timeout, then fails as timeout
  };
  static Answer status(int code, std::chrono::milliseconds takes = std::chrono::milliseconds(10)) {
    Answer a;
    a.status = code;
    a.takes = takes;
    return a;
  }
  static Answer failure(http::Error::Kind kind) {
    Answer a;
    a.error = kind;
    return a;
  }
  static Answer hanging() {
    Answer a;
    a.hang = true;
    return a;
  }
  std::deque<Answer> answers;
  Clock::time_point now{};
  struct Seen {
    std::string url, body, content_type, authorization;
    std::chrono::milliseconds timeout, connect_timeout;
  };
  std::vector<Seen> seen;
  std::vector<std::chrono::milliseconds> sleeps;
};

class ScriptedTransport final : public http::Transport {
 public:
  ScriptedTransport(Script& s, http::TransportOptions o) : m_s(s), m_o(std::move(o)) {}
  http::Result<http::Response> send(const http::Request& r) override {
    Script::Seen seen;
    seen.url = r.url;
    if (r.body) {
      std::string b(r.body->size(), '\0');
      auto n = r.body->read(b.data(), b.size());
      seen.body = b.substr(0, n ? *n : 0);
    }
    if (auto* h = http::find_header(r.headers, "Content-Type")) seen.content_type = *h;
    if (auto* h = http::find_header(r.headers, "Authorization")) seen.authorization = *h;
    seen.timeout = r.timeout;
    seen.connect_timeout = m_o.connect_timeout;
    m_s.seen.push_back(seen);
    Script::Answer a = m_s.answers.empty() ? Script::Answer{} : m_s.answers.front();
    if (!m_s.answers.empty()) m_s.answers.pop_front();
    if (a.hang) {
      m_s.now += r.timeout;
      return http::make_error(
          http::Error::Kind::timeout,
          "POST " + r.url + " timed out after " + std::to_string(r.timeout.count()) + " ms");
    }
    m_s.now += a.takes;
    if (a.error) return http::make_error(*a.error, "POST " + r.url + ": failed (scripted)");
    http::Response resp;
    resp.status = a.status;
    return resp;
  }

 private:
  Script& m_s;
  http::TransportOptions m_o;
};

SendOptions scripted(Script& s, std::chrono::milliseconds budget = 10s) {
  SendOptions o;
  o.budget = budget;
  o.make_transport =
      [&s](http::TransportOptions t) -> http::Result<std::unique_ptr<http::Transport>> {
    return std::make_unique<ScriptedTransport>(s, std::move(t));
  };
  o.now = [&s] { return s.now; };
  o.sleep = [&s](std::chrono::milliseconds d) {
    s.sleeps.push_back(d);
    s.now += d;
  };
  return o;
}

const std::string k_url = "https://hc-ping.com/0b6a5d2c-1f3e-4c5a-9d8e-7f6a5b4c3d2e";

TEST(SendEvent, A2xxAnswerIsSentAtTheFirstAttempt) {
  Script s;
  const auto d = send_event({"success ping", k_url, "text/plain", "body", ""}, scripted(s));
  EXPECT_EQ(d.state, EventDelivery::State::sent);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.http_status, 200);
  EXPECT_EQ(d.shown_url, "https://hc-ping.com/…");
  ASSERT_EQ(s.seen.size(), 1u);
  EXPECT_EQ(s.seen[0].body, "body");
  EXPECT_EQ(s.seen[0].authorization, "") << "no Authorization header unless configured";
}

TEST(SendEvent, A500IsRetriedBoundedlyWithGrowingWaits) {
  Script s;
  s.answers = {Script::status(500), Script::status(503), Script::status(500), Script::status(200)};
  const auto d = send_event({"fail ping", k_url, "text/plain", "b", ""}, scripted(s));
  EXPECT_EQ(d.state, EventDelivery::State::failed);
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(s.seen.size(), 3u) << "never more than max_attempts";
  EXPECT_EQ(d.http_status, 500);
  EXPECT_EQ(d.detail, "the receiver answered HTTP 500");
  EXPECT_EQ(s.sleeps, (std::vector<std::chrono::milliseconds>{1000ms, 2000ms}));
}

TEST(SendEvent, ARetryThatSucceedsIsSent) {
  Script s;
  s.answers = {Script::status(502), Script::status(200)};
  const auto d = send_event({"start ping", k_url, "text/plain", "b", ""}, scripted(s));
  EXPECT_EQ(d.state, EventDelivery::State::sent);
  EXPECT_EQ(d.attempts, 2);
}

TEST(SendEvent, A4xxOrARefusedCertificateIsFinalAtOnce) {
  for (const Script::Answer& a : {Script::status(404), Script::failure(http::Error::Kind::tls),
                                  Script::failure(http::Error::Kind::pin_mismatch)}) {
    Script s;
    s.answers = {a, Script::status(200)};
    const auto d = send_event({"webhook", k_url, "application/json", "{}", ""}, scripted(s));
    EXPECT_EQ(d.state, EventDelivery::State::failed);
    EXPECT_EQ(d.attempts, 1);
    EXPECT_TRUE(s.sleeps.empty());
  }
}

TEST(SendEvent, AHangingReceiverHoldsTheEventForAtMostTheBudget) {
  Script s;
  s.answers = {Script::hanging(), Script::hanging()};
  const auto start = s.now;
  const auto d = send_event({"success ping", k_url, "text/plain", "b", ""}, scripted(s, 5s));
  EXPECT_EQ(d.state, EventDelivery::State::failed);
  EXPECT_LE(s.now - start, 5s);
  EXPECT_EQ(d.attempts, 1) << "the first attempt used the whole budget";
  ASSERT_FALSE(s.seen.empty());
  EXPECT_LE(s.seen[0].timeout, 5s);
  EXPECT_LE(s.seen[0].connect_timeout, 5s);
  EXPECT_EQ(d.detail.find("0b6a5d2c"), std::string::npos) << d.detail;
  EXPECT_NE(d.detail.find("https://hc-ping.com/…"), std::string::npos) << d.detail;
}

TEST(SendEvent, EveryAttemptGetsOnlyWhatIsLeftOfTheBudget) {
  Script s;
  s.answers = {Script::status(500, 3000ms), Script::status(500)};
  send_event({"start ping", k_url, "text/plain", "b", ""}, scripted(s, 6s));
  ASSERT_EQ(s.seen.size(), 2u);
  EXPECT_EQ(s.seen[0].timeout, 6000ms);
  EXPECT_EQ(s.seen[1].timeout, 6000ms - 3000ms - 1000ms);
}

EventsConfig all_events() {
  EventsConfig e;
  e.ping_start = k_url + "/start";
  e.ping_success = k_url;
  e.ping_fail = k_url + "/fail";
  e.webhook_url = "https://hooks.example/hook/secret-path";
  return e;
}

TEST(HttpRunEvents, AGoodRunPingsStartThenSuccessThenPostsTheWebhook) {
  Script s;
  HttpRunEvents events(all_events(), "Bearer abc", "", scripted(s));
  RunEventData start;
  start.run_id = "20260101T010000Z";
  start.result = "start";
  EXPECT_EQ(events.run_started(start).size(), 1u);
  const auto end = events.run_finished(finished_run(false));
  ASSERT_EQ(end.size(), 2u);
  EXPECT_EQ(end[0].what, "success ping");
  EXPECT_EQ(end[1].what, "webhook");
  ASSERT_EQ(s.seen.size(), 3u);
  EXPECT_EQ(s.seen[0].url, k_url + "/start");
  EXPECT_EQ(s.seen[1].url, k_url);
  EXPECT_EQ(s.seen[2].url, "https://hooks.example/hook/secret-path");
  EXPECT_EQ(s.seen[2].content_type, "application/json");
  EXPECT_EQ(s.seen[2].authorization, "Bearer abc");
  EXPECT_EQ(s.seen[0].authorization, "") << "the authorization is the webhook's only";
}

TEST(HttpRunEvents, AFailedRunPingsFail) {
  Script s;
  HttpRunEvents events(all_events(), "", "", scripted(s));
  events.run_finished(finished_run(true));
  ASSERT_EQ(s.seen.size(), 2u);
  EXPECT_EQ(s.seen[0].url, k_url + "/fail");
}

TEST(HttpRunEvents, ADryRunSendsNothingAndSaysWhatItWouldSend) {
  Script s;
  HttpRunEvents events(all_events(), "Bearer abc", "", scripted(s));
  auto run = finished_run(false);
  run.dry_run = true;
  const auto end = events.run_finished(run);
  EXPECT_TRUE(s.seen.empty());
  ASSERT_EQ(end.size(), 2u);
  EXPECT_EQ(end[0].state, EventDelivery::State::would_send);
  const std::string text = describe(end[1]);
  EXPECT_NE(text.find("webhook to https://hooks.example/…: not sent (dry run); would POST"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("with the Authorization header"), std::string::npos) << text;
  EXPECT_NE(text.find("\"run_id\":\"20260101T010000Z\""), std::string::npos) << text;
  EXPECT_EQ(text.find("Bearer abc"), std::string::npos);
  EXPECT_EQ(text.find("secret-path"), std::string::npos);
}

TEST(HttpRunEvents, AnUnreadableAuthorizationFileFailsOnlyTheWebhook) {
  Script s;
  HttpRunEvents events(all_events(), "", "secret file /x: cannot open", scripted(s));
  const auto end = events.run_finished(finished_run(false));
  ASSERT_EQ(end.size(), 2u);
  EXPECT_EQ(end[0].state, EventDelivery::State::sent);
  EXPECT_EQ(end[1].state, EventDelivery::State::failed);
  EXPECT_EQ(s.seen.size(), 1u) << "the webhook is not sent without its authorization";
}

TEST(HttpRunEvents, TheTestPingsStartAndSuccessButNeverFail) {
  Script s;
  HttpRunEvents events(all_events(), "", "", scripted(s));
  const auto d = events.test();
  ASSERT_EQ(s.seen.size(), 3u);
  EXPECT_EQ(s.seen[0].url, k_url + "/start");
  EXPECT_EQ(s.seen[1].url, k_url);
  for (const auto& seen : s.seen) EXPECT_NE(seen.url, k_url + "/fail");
  EXPECT_NE(s.seen[1].body.find("test"), std::string::npos);
}

}  // namespace
}  // namespace agent::events
