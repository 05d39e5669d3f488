#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

// Errors of the Proxmox VE API client, returned as values (never thrown across the module).
namespace proxmox {

struct Error {
  enum class Kind {
    transport,    // connection refused/reset, DNS, send/receive failure
    tls,          // certificate not trusted, fingerprint mismatch, handshake failure
    timeout,      // connect or total timeout, or a task that did not finish in time
    auth,         // HTTP 401: token id/secret wrong, token expired, user disabled
    permission,   // HTTP 403: a privilege is missing
    http_status,  // any other non-200 answer (400 parameter errors, 500 handler errors, 5xx)
    parse,        // the answer is not the JSON the API documents
    task_failed,  // a task ended with an error exit status
    not_found,    // the object asked for does not exist (guest, volume, task)
  };
  Kind kind = Kind::transport;
  int http_status = 0;  // 0 when no HTTP answer was received
  std::string message;  // full sentence(s) for operators; never contains a secret
};

template <typename T>
using Result = tl::expected<T, Error>;

// "transport", "tls", ... (for logs and JSON output).
const char* to_string(Error::Kind kind);

inline tl::unexpected<Error> make_error(Error::Kind kind, std::string message,
                                        int http_status = 0) {
  return tl::unexpected<Error>(Error{kind, http_status, std::move(message)});
}

// True for failures worth retrying on an idempotent request: transport failures, timeouts of
// a single request and server-side 5xx answers (including pveproxy's 595/596 proxy errors),
// except 501 (unknown method/path: deterministic).
bool is_transient(const Error& error);

// True when a non-idempotent request (POST vzdump, DELETE) may have taken effect although no
// answer arrived: transport failures, timeouts, 502-504 and 595/596. A 500/501 is the
// server's own refusal.
bool may_have_acted(const Error& error);

}  // namespace proxmox
