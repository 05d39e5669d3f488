#include "agent/events/events_check.hpp"

#include "agent/config/config_loader.hpp"
#include "agent/events/event_url.hpp"
#include "agent/events/http_run_events.hpp"

namespace agent::events {
namespace {

ConfigDiagnostic at(const LoadedConfig& loaded, const std::string& key, std::string message) {
  ConfigDiagnostic d{loaded.config.source_file, 0, 0, key, std::move(message)};
  if (auto it = loaded.positions.find(key); it != loaded.positions.end()) {
    d.line = it->second.line;
    d.column = it->second.column;
  }
  return d;
}

std::string key_of(const std::string& what) {
  if (what == "start ping") return "events.ping.start";
  if (what == "success ping") return "events.ping.success";
  if (what == "fail ping") return "events.ping.fail";
  return "events.webhook.url";
}

}  // namespace

ConfigCheck events_config_check(bool send_test, Output& out, TransportMaker make_transport) {
  return [send_test, &out, make_transport = std::move(make_transport)](const LoadedConfig& loaded,
                                                                       ConfigFindings& findings) {
    const EventsConfig& e = loaded.config.events;
    if (!e.ping_start.empty() && e.ping_success.empty() && e.ping_fail.empty()) {
      findings.warnings.push_back(
          at(loaded, "events.ping.start",
             "a start ping without a success or fail ping: the check is never told that a run "
             "ended and reports every run as hanging; set events.ping.success (and fail)"));
    }
    if (e.webhook_authorization_file && !e.webhook_url.empty()) {
      if (auto s = read_secret(SecretRef{*e.webhook_authorization_file, false}); !s) {
        findings.errors.push_back(at(loaded, "events.webhook.authorization_file", s.error()));
      }
    }
    if (!send_test) return;
    if (!e.any()) {
      findings.warnings.push_back(at(loaded, "events",
                                     "--events: no pings and no webhook are configured; nothing "
                                     "was sent"));
      return;
    }
    auto events = make_run_events(e, make_transport);
    for (const auto& d : events->test()) {
      out.message("events: " + describe(d));
      if (d.state == EventDelivery::State::failed) {
        findings.errors.push_back(at(loaded, key_of(d.what), "the test " + describe(d)));
      }
    }
    if (!e.ping_fail.empty()) {
      out.message("events: fail ping to " + shown_url(e.ping_fail) +
                  ": not sent by the test (it would alert someone); its form was checked");
    }
  };
}

}  // namespace agent::events
