#include "remote/error.hpp"

namespace remote {

const char* kind_name(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::connect:
      return "connect";
    case Error::Kind::host_key_unknown:
      return "host_key_unknown";
    case Error::Kind::host_key_changed:
      return "host_key_changed";
    case Error::Kind::auth:
      return "auth";
    case Error::Kind::channel:
      return "channel";
    case Error::Kind::timeout:
      return "timeout";
    case Error::Kind::deadline:
      return "deadline";
    case Error::Kind::disconnected:
      return "disconnected";
    case Error::Kind::aborted:
      return "aborted";
    case Error::Kind::remote_exit:
      return "remote_exit";
  }
  return "unknown";
}

}  // namespace remote
