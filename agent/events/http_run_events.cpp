#include "agent/events/http_run_events.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "agent/config/config_loader.hpp"
#include "agent/core/log.hpp"
#include "agent/core/secret_memory.hpp"
#include "agent/events/event_body.hpp"
#include "agent/events/event_url.hpp"

namespace agent::events {
namespace {

// One line each; a dry run's body is shown by the summary, not logged.
void log_delivery(const EventDelivery& d) {
  std::string line = describe(d);
  line = line.substr(0, line.find('\n'));
  if (d.state == EventDelivery::State::failed) {
    spdlog::warn("event {}", line);
  } else {
    spdlog::info("event {}", line);
  }
}

void register_url_secret(const std::string& url) {
  if (url.empty()) return;
  register_secret(url);
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return;
  const auto path_at = url.find_first_of("/?", scheme_end + 3);
  // Only a path long enough to be a token: "/" or "/ping" would redact ordinary words.
  if (path_at != std::string::npos && url.size() - path_at >= 8) {
    register_secret(url.substr(path_at + 1));
  }
}

}  // namespace

HttpRunEvents::HttpRunEvents(EventsConfig config, std::string authorization,
                             std::string authorization_problem, SendOptions send)
    : m_config(std::move(config)),
      m_authorization(std::move(authorization)),
      m_authorization_problem(std::move(authorization_problem)),
      m_send(std::move(send)) {}

HttpRunEvents::~HttpRunEvents() { wipe(m_authorization); }

EventDelivery HttpRunEvents::deliver(EventRequest request, bool dry_run) {
  EventDelivery d;
  if (dry_run) {
    d.what = request.what;
    d.shown_url = shown_url(request.url);
    d.state = EventDelivery::State::would_send;
    d.detail = "would POST " + std::to_string(request.body.size()) + " bytes (" +
               request.content_type.substr(0, request.content_type.find(';')) +
               (request.authorization.empty() ? "" : ", with the Authorization header") + "):\n" +
               request.body;
  } else {
    d = send_event(request, m_send);
  }
  log_delivery(d);
  return d;
}

EventDelivery HttpRunEvents::webhook(const std::string& body, bool dry_run) {
  if (!m_authorization_problem.empty()) {
    EventDelivery d{
        "webhook", shown_url(m_config.webhook_url),       EventDelivery::State::failed, 0, 0,
        0,         "not sent: " + m_authorization_problem};
    log_delivery(d);
    return d;
  }
  EventRequest r{"webhook", m_config.webhook_url, "application/json", body, m_authorization};
  return deliver(std::move(r), dry_run);
}

std::vector<EventDelivery> HttpRunEvents::run_started(const RunEventData& run) {
  std::vector<EventDelivery> out;
  if (!m_config.ping_start.empty()) {
    out.push_back(deliver(
        {"start ping", m_config.ping_start, "text/plain; charset=utf-8", ping_body(run, false), ""},
        run.dry_run));
  }
  return out;
}

std::vector<EventDelivery> HttpRunEvents::run_finished(const RunEventData& run) {
  std::vector<EventDelivery> out;
  const bool failed = run.result != "success";
  const std::string& url = failed ? m_config.ping_fail : m_config.ping_success;
  if (!url.empty()) {
    out.push_back(deliver({failed ? "fail ping" : "success ping", url, "text/plain; charset=utf-8",
                           ping_body(run, m_config.webhook_include_messages), ""},
                          run.dry_run));
  }
  if (!m_config.webhook_url.empty()) {
    out.push_back(webhook(webhook_body(run, m_config.webhook_include_messages), run.dry_run));
  }
  return out;
}

std::vector<EventDelivery> HttpRunEvents::test() {
  std::vector<EventDelivery> out;
  const std::string body = "pve-smokerbak config check --events: a test ping, no backup ran\n";
  if (!m_config.ping_start.empty()) {
    out.push_back(
        deliver({"start ping", m_config.ping_start, "text/plain; charset=utf-8", body, ""}, false));
  }
  if (!m_config.ping_success.empty()) {
    out.push_back(deliver(
        {"success ping", m_config.ping_success, "text/plain; charset=utf-8", body, ""}, false));
  }
  if (!m_config.webhook_url.empty()) {
    out.push_back(webhook(R"({"event":"test","agent":"pve-smokerbak"})", false));
  }
  return out;
}

SendOptions send_options_for(const EventsConfig& config) {
  SendOptions o;
  o.budget = std::chrono::seconds(std::max(1, config.timeout_s));
  o.ca_file = config.ca_file;
  o.allow_plain_loopback = config.allow_plain_loopback;
  return o;
}

std::unique_ptr<HttpRunEvents> make_run_events(const EventsConfig& config,
                                               TransportMaker make_transport) {
  if (!config.any()) return nullptr;
  for (const auto* url :
       {&config.ping_start, &config.ping_success, &config.ping_fail, &config.webhook_url}) {
    register_url_secret(*url);
  }
  std::string authorization;
  std::string problem;
  if (config.webhook_authorization_file && !config.webhook_url.empty()) {
    auto secret = read_secret(SecretRef{*config.webhook_authorization_file, false});
    if (secret) {
      authorization = std::move(*secret);
      while (!authorization.empty() &&
             (authorization.back() == '\n' || authorization.back() == '\r')) {
        authorization.pop_back();
      }
    } else {
      problem = "cannot read events.webhook.authorization_file: " + secret.error();
    }
  }
  SendOptions send = send_options_for(config);
  send.make_transport = std::move(make_transport);
  return std::make_unique<HttpRunEvents>(config, std::move(authorization), std::move(problem),
                                         std::move(send));
}

}  // namespace agent::events
