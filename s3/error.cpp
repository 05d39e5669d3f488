#include "s3/error.hpp"

namespace s3 {

const char* to_string(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::invalid_argument:
      return "invalid_argument";
    case Error::Kind::transport:
      return "transport";
    case Error::Kind::tls:
      return "tls";
    case Error::Kind::timeout:
      return "timeout";
    case Error::Kind::too_large:
      return "too_large";
    case Error::Kind::source:
      return "source";
    case Error::Kind::sink:
      return "sink";
    case Error::Kind::access_denied:
      return "access_denied";
    case Error::Kind::invalid_credentials:
      return "invalid_credentials";
    case Error::Kind::clock_skew:
      return "clock_skew";
    case Error::Kind::slow_down:
      return "slow_down";
    case Error::Kind::server_error:
      return "server_error";
    case Error::Kind::no_such_bucket:
      return "no_such_bucket";
    case Error::Kind::no_such_key:
      return "no_such_key";
    case Error::Kind::no_such_version:
      return "no_such_version";
    case Error::Kind::no_such_upload:
      return "no_such_upload";
    case Error::Kind::object_locked:
      return "object_locked";
    case Error::Kind::retention_refused:
      return "retention_refused";
    case Error::Kind::object_lock_not_enabled:
      return "object_lock_not_enabled";
    case Error::Kind::lock_not_applied:
      return "lock_not_applied";
    case Error::Kind::entity_too_small:
      return "entity_too_small";
    case Error::Kind::invalid_part:
      return "invalid_part";
    case Error::Kind::bad_digest:
      return "bad_digest";
    case Error::Kind::precondition_failed:
      return "precondition_failed";
    case Error::Kind::invalid_request:
      return "invalid_request";
    case Error::Kind::bad_answer:
      return "bad_answer";
  }
  return "transport";
}

bool is_retryable(const Error& error) {
  switch (error.kind) {
    case Error::Kind::transport:
    case Error::Kind::timeout:
    case Error::Kind::slow_down:
    case Error::Kind::server_error:
      return true;
    default:
      return false;
  }
}

}  // namespace s3
