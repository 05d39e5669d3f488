#include "http/error.hpp"

namespace http {

const char* to_string(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::invalid_request:
      return "invalid_request";
    case Error::Kind::transport:
      return "transport";
    case Error::Kind::tls:
      return "tls";
    case Error::Kind::pin_mismatch:
      return "pin_mismatch";
    case Error::Kind::timeout:
      return "timeout";
    case Error::Kind::stalled:
      return "stalled";
    case Error::Kind::too_large:
      return "too_large";
    case Error::Kind::source:
      return "source";
    case Error::Kind::sink:
      return "sink";
  }
  return "transport";
}

}  // namespace http
