#include "agent/vzdump/api_errors.hpp"

namespace agent {

TierError tier_error_of(const proxmox::Error& error) {
  using K = proxmox::Error::Kind;
  TierError::Kind kind = TierError::Kind::refused;
  switch (error.kind) {
    case K::auth:
    case K::permission:
    case K::tls:
      kind = TierError::Kind::access;
      break;
    case K::transport:
    case K::timeout:
      kind = TierError::Kind::unreachable;
      break;
    case K::http_status:
      // The handler's own 500 (and 501) is an answer; a gateway that lost one is not.
      kind =
          proxmox::may_have_acted(error) ? TierError::Kind::unreachable : TierError::Kind::refused;
      break;
    case K::parse:
    case K::task_failed:
    case K::not_found:
      kind = TierError::Kind::refused;
      break;
  }
  return TierError{kind, error.message};
}

}  // namespace agent
