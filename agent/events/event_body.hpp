#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/core/run_events.hpp"

// What the events carry (docs/configuration.md, section `events`): the webhook's JSON body and
// a ping's short text body. Both hold words and numbers only (run id, targets, tiers, results,
// error kinds, sizes, durations); error messages and warnings only when `include_messages`,
// each cut to a bounded excerpt and scrubbed (scrub_excerpt).
namespace agent::events {

inline constexpr std::size_t k_message_excerpt_bytes = 300;
inline constexpr std::size_t k_warnings_per_step = 5;
inline constexpr std::size_t k_ping_body_bytes = 2000;  // healthchecks.io keeps up to 100 kB

// Text from a tier made fit to leave the host: registered secrets (the API token, passwords,
// the events' own authorization) become "***" (agent::redact), every URL keeps only its scheme
// and host, "password=…"/"token=…"/"secret=…"/"Authorization: …" values become "***", control
// characters are escaped, and the result is cut to at most `max_bytes` (on a UTF-8 boundary,
// "…" marking the cut).
std::string scrub_excerpt(std::string_view text, std::size_t max_bytes = k_message_excerpt_bytes);

// {"event": "run.finished", "run_id", "result", "exit_code", "dry_run", "started_at",
//  "duration_s", "steps": [{"target", "tier", "step", "result", "error_kind", "backup_id",
//  "backup_bytes", "duration_s", "warnings" (a count), ["error", "warning_texts"]}], ...};
// "run.started" without steps. Compact, valid UTF-8.
std::string webhook_body(const RunEventData& run, bool include_messages);

// One line per step after a header line, e.g.
//   pve-smokerbak run 20260101T020000Z: success (exit 0) in 12.3 s
//   smoker vzdump backup: ok, 1.2 GiB
// at most k_ping_body_bytes.
std::string ping_body(const RunEventData& run, bool include_messages);

}  // namespace agent::events
