#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/config/drill_config.hpp"
#include "agent/core/run_events.hpp"
#include "agent/events/event_sender.hpp"

// The real RunEvents: the configured pings (healthchecks.io semantics: the `start` URL when the
// run begins, then `success` after a run in which nothing failed — warnings included — or
// `fail`) and the webhook (one JSON POST when the run ends), each through send_event() with
// events.timeout_s as its total budget. A dry run sends nothing and returns what it would send.
// Every delivery is logged with the URL's host only.
namespace agent::events {

class HttpRunEvents final : public RunEvents {
 public:
  // `authorization`: the content of events.webhook.authorization_file ("" = none);
  // `authorization_problem`: why it could not be read (the webhook is then not sent).
  HttpRunEvents(EventsConfig config, std::string authorization, std::string authorization_problem,
                SendOptions send);
  ~HttpRunEvents() override;
  HttpRunEvents(const HttpRunEvents&) = delete;
  HttpRunEvents& operator=(const HttpRunEvents&) = delete;

  std::vector<EventDelivery> run_started(const RunEventData& run) override;
  std::vector<EventDelivery> run_finished(const RunEventData& run) override;

  // Test events for `config check --events`: the start ping, then the success ping (the check
  // shows a good run whose body says it was a test), and a webhook {"event": "test"}. The fail
  // URL is not pinged: that would alert someone.
  std::vector<EventDelivery> test();

 private:
  EventDelivery deliver(EventRequest request, bool dry_run);
  EventDelivery webhook(const std::string& body, bool dry_run);

  EventsConfig m_config;
  std::string m_authorization;
  std::string m_authorization_problem;
  SendOptions m_send;
};

// SendOptions for `events` (its timeout_s as the budget, its ca_file and allow_plain_loopback).
SendOptions send_options_for(const EventsConfig& config);

// nullptr when nothing is configured. Reads the authorization file (registered as a secret, so
// the log redacts it) and registers each URL's path as a secret too.
std::unique_ptr<HttpRunEvents> make_run_events(
    const EventsConfig& config, TransportMaker make_transport = http::make_curl_transport);

}  // namespace agent::events
