#pragma once

#include <optional>
#include <string>
#include <string_view>

// Why a tier failed, in the terms that decide what happens next. Each tier maps the typed
// errors of the module it talks through (proxmox::Error::Kind, remote::Error::Kind, its own
// checks) to one kind; `run`, `status`, the metrics and the exit code decide by the kind, never
// by the message.
namespace agent {

struct TierError {
  enum class Kind {
    access,       // credentials, permissions or trust refused (API token, TLS certificate or
                  // pin, SSH key, host key, MongoDB password): someone must fix them
    unreachable,  // no answer: connection, DNS, timeouts, gateways; the next run may succeed
    refused,      // the other side answered no: a failed task, a locked guest, mongodump's
                  // exit status, an unexpected answer
    invalid,      // a backup was made but does not verify
    local_io,     // this host: disk, state directory, backup directory, time zone data
    internal,     // a bug in the agent (an exception escaped a tier)
  };
  Kind kind = Kind::internal;
  std::string message;  // full sentence(s) for operators: what failed and what to do
};

// "access", "unreachable", "refused", "invalid", "local_io", "internal": the word in tier
// records, `status --json` and the metrics label.
const char* to_string(TierError::Kind kind);
std::optional<TierError::Kind> parse_error_kind(std::string_view text);

// True when waiting for the next run will not help (access, invalid, local_io, internal):
// `status` then reports the failed run as critical instead of warning.
bool needs_operator(TierError::Kind kind);

// The process exit code of a run in which a tier failed with `kind`: 1 for every kind (the
// documented "a backup, validation or prune failed"); the kind itself is in the records,
// `status` and the metrics.
int exit_code_for(TierError::Kind kind);

}  // namespace agent
