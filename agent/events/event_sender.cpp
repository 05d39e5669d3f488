#include "agent/events/event_sender.hpp"

#include <algorithm>
#include <thread>

#include "agent/core/log.hpp"
#include "agent/events/event_url.hpp"

namespace agent::events {
namespace {

using std::chrono::milliseconds;

// 2xx bodies ("OK" from healthchecks) are not kept.
class DiscardSink final : public http::BodySink {
 public:
  tl::expected<void, std::string> write(const char* /*data*/, std::size_t /*size*/) override {
    return {};
  }
};

bool retryable(http::Error::Kind kind) {
  using K = http::Error::Kind;
  return kind == K::transport || kind == K::timeout || kind == K::stalled;
}

bool retryable(int status) { return status == 408 || status == 429 || status >= 500; }

double seconds_between(std::chrono::steady_clock::time_point a,
                       std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

EventDelivery send_event(const EventRequest& request, const SendOptions& options) {
  EventDelivery d;
  d.what = request.what;
  d.shown_url = shown_url(request.url);
  d.state = EventDelivery::State::failed;
  const auto start = options.now();
  const auto deadline = start + options.budget;
  constexpr milliseconds k_min_attempt{200};  // not worth starting with less time left
  std::string last_error = "no attempt was made within the time budget";
  for (int attempt = 1; attempt <= std::max(1, options.max_attempts); ++attempt) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - options.now());
    if (left < k_min_attempt) break;
    http::TransportOptions t;
    t.ca_file = options.ca_file;
    t.allow_plain_loopback = options.allow_plain_loopback;
    t.connect_timeout = std::min<milliseconds>(left, milliseconds(5'000));
    t.request_timeout = left;
    t.low_speed_time = std::chrono::seconds(
        std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(left).count()));
    t.max_header_bytes = 16 * 1024;
    auto transport = options.make_transport(std::move(t));
    if (!transport) {  // an unusable CA file: final
      last_error = hide_url(transport.error().message, request.url);
      break;
    }
    http::BytesSource source(request.body);
    DiscardSink sink;
    http::Request r;
    r.method = http::Method::post;
    r.url = request.url;
    r.headers.push_back({"Content-Type", request.content_type});
    if (!request.authorization.empty())
      r.headers.push_back({"Authorization", request.authorization});
    r.body = &source;
    r.sink = &sink;
    r.max_body_bytes = 64 * 1024;
    r.idempotent = false;
    r.timeout = left;
    d.attempts = attempt;
    auto answer = (*transport)->send(r);
    bool again = false;
    if (answer) {
      d.http_status = answer->status;
      if (answer->status >= 200 && answer->status < 300) {
        d.state = EventDelivery::State::sent;
        d.detail.clear();
        d.seconds = seconds_between(start, options.now());
        return d;
      }
      last_error = "the receiver answered HTTP " + std::to_string(answer->status) +
                   (answer->reason.empty() ? "" : " " + redact(answer->reason).substr(0, 80));
      again = retryable(answer->status);
    } else {
      last_error = hide_url(redact(answer.error().message), request.url);
      again = retryable(answer.error().kind);
    }
    if (!again || attempt >= options.max_attempts) break;
    const milliseconds wait = options.backoff * attempt;
    if (options.now() + wait + k_min_attempt >= deadline) break;
    if (options.sleep) {
      options.sleep(wait);
    } else {
      std::this_thread::sleep_for(wait);
    }
  }
  d.seconds = seconds_between(start, options.now());
  d.detail = last_error;
  return d;
}

}  // namespace agent::events
