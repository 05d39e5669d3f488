#pragma once

#include <string>

#include <tl/expected.hpp>

// Errors of the HTTP transport, returned as values. Every one means "no complete HTTP answer":
// a non-2xx answer is a Response, not an Error.
namespace http {

struct Error {
  enum class Kind {
    invalid_request,  // unusable options or request (URL scheme, fingerprint syntax); nothing sent
    transport,        // connection refused/reset/cut, DNS, send or receive failure
    tls,              // certificate not trusted (chain, host name) or handshake failure
    pin_mismatch,     // the leaf certificate is not the pinned one; nothing was sent
    timeout,          // connect timeout or the request's total timeout
    stalled,          // slower than the low-speed limit for the low-speed time
    too_large,        // the answer's body or headers exceed the request's caps
    source,           // the request body source failed or ended early
    sink,             // the response body sink refused the data (e.g. disk full)
  };
  Kind kind = Kind::transport;
  std::string message;  // full sentence(s) for operators; never a secret
  // pin_mismatch: the SHA-256 fingerprint the server presented (colon hex), for the caller's
  // message; tls: empty.
  std::string presented_fingerprint;
};

template <typename T>
using Result = tl::expected<T, Error>;

const char* to_string(Error::Kind kind);

inline tl::unexpected<Error> make_error(Error::Kind kind, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(message), {}});
}

}  // namespace http
