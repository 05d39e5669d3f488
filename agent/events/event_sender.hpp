#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/core/run_events.hpp"
#include "http/transport.hpp"

// Delivers one event (a ping or a webhook POST) over http::Transport within a total time
// budget: every attempt's connect and request timeouts are cut to what is left of it, so a
// receiver that accepts the connection and never answers holds the run for at most the budget.
// Retries (at most `max_attempts` in all) follow connection failures, timeouts and answers
// 408/429/5xx; a refused certificate, a bad URL or another 4xx is final at once.
namespace agent::events {

using TransportMaker =
    std::function<http::Result<std::unique_ptr<http::Transport>>(http::TransportOptions)>;

struct SendOptions {
  std::chrono::milliseconds budget{10'000};  // all attempts and the waits between them
  int max_attempts = 3;
  std::chrono::milliseconds backoff{1'000};      // before attempt n+1: n times this
  std::optional<std::filesystem::path> ca_file;  // nullopt: the system CA store
  bool allow_plain_loopback = false;
  TransportMaker make_transport = http::make_curl_transport;
  // The steady clock and the wait between attempts (tests replace both).
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
  std::function<void(std::chrono::milliseconds)> sleep;  // unset: std::this_thread::sleep_for
};

struct EventRequest {
  std::string what;  // "start ping", "webhook", ...
  std::string url;   // never logged: shown_url() only
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string authorization;  // "" = no Authorization header; never logged
};

// Sends `request` (POST) and says what came of it; never throws, logs nothing.
EventDelivery send_event(const EventRequest& request, const SendOptions& options);

}  // namespace agent::events
