#pragma once

#include <cstdint>
#include <string>
#include <vector>

// What a run tells the outside world besides its log: healthchecks-style pings and a webhook
// (agent/events/ sends them over HTTPS; docs/configuration.md, section `events`). The run
// (agent/run/) hands plain data to this interface at its start and its end; agent/cli/wiring.cpp
// picks the implementation. Delivering an event never fails the run and never changes its exit
// code: what happened comes back as EventDelivery values, for the summary.
namespace agent {

// One step of one tier, as an event carries it: words and numbers, no log text.
struct EventStep {
  std::string target;
  std::string tier;        // "vzdump", "mongo", "offsite"
  std::string step;        // "backup", "prune"
  std::string result;      // "ok", "warning", "failed", "skipped"
  std::string error_kind;  // "" unless failed: "access", "unreachable", ...
  std::string backup_id;   // what the backup step made, if anything
  std::uint64_t backup_bytes = 0;
  double seconds = 0;  // how long the step took
  // Sent only with events.webhook.include_messages, bounded and scrubbed (agent/events/).
  std::string error_message;
  std::vector<std::string> warnings;
};

struct RunEventData {
  std::string run_id;
  bool dry_run = false;
  std::int64_t started_epoch = 0;  // seconds since 1970, UTC
  double seconds = 0;              // the run so far (0 at the start)
  // "start" (run_started), then "success" (no step failed; warnings allowed) or "fail".
  std::string result;
  int exit_code = 0;
  std::vector<EventStep> steps;
};

// What became of one event.
struct EventDelivery {
  enum class State { sent, failed, would_send };
  std::string what;       // "start ping", "success ping", "fail ping", "webhook"
  std::string shown_url;  // scheme and host only: the path of a ping URL is its secret
  State state = State::sent;
  int attempts = 0;
  double seconds = 0;
  int http_status = 0;  // of the last answer; 0 = none
  std::string detail;   // sent: ""; failed: why; would_send: what would be sent
};

class RunEvents {
 public:
  virtual ~RunEvents() = default;
  // After the run took its lock, before the first tier.
  virtual std::vector<EventDelivery> run_started(const RunEventData& run) = 0;
  // After the last tier and the metrics, before the summary.
  virtual std::vector<EventDelivery> run_finished(const RunEventData& run) = 0;
};

// One line (a dry run's adds the body on the next lines) for the log and the summary:
//   "start ping to https://hc-ping.com/…: sent (HTTP 200, 1 attempt, 0.1 s)"
//   "success ping to https://hc-ping.com/…: FAILED after 3 attempts in 10.0 s: ... (the
//    backups are not affected)"
//   "webhook to https://hooks.example/…: not sent (dry run); would POST 312 bytes ..."
std::string describe(const EventDelivery& delivery);

}  // namespace agent
