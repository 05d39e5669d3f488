#include "agent/vzdump/api_errors.hpp"

#include "agent/core/safe_text.hpp"

namespace agent {
namespace {

// The client's messages carry the server's words (and task log tails, one per line): each line
// is made safe for a terminal and the log; the lines themselves stay.
std::string shown_lines(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const auto nl = text.find('\n', start);
    out += escape_control_chars(text.substr(start, nl == std::string_view::npos ? nl : nl - start),
                                Tabs::escape);
    if (nl == std::string_view::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

}  // namespace

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
  return TierError{kind, shown_lines(error.message)};
}

}  // namespace agent
