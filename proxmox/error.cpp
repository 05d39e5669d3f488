#include "proxmox/error.hpp"

namespace proxmox {

const char* to_string(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::transport:
      return "transport";
    case Error::Kind::tls:
      return "tls";
    case Error::Kind::timeout:
      return "timeout";
    case Error::Kind::auth:
      return "auth";
    case Error::Kind::permission:
      return "permission";
    case Error::Kind::http_status:
      return "http_status";
    case Error::Kind::parse:
      return "parse";
    case Error::Kind::task_failed:
      return "task_failed";
    case Error::Kind::not_found:
      return "not_found";
  }
  return "unknown";
}

bool is_transient(const Error& error) {
  switch (error.kind) {
    case Error::Kind::transport:
    case Error::Kind::timeout:
      return true;
    case Error::Kind::http_status:
      // pveproxy answers every error raised in a handler as 500 ("storage 'x' does not
      // exist", "no prune-backups options configured ..."), which repeats deterministically;
      // 501 is an unknown method or path. Gateways' 502-504 and the proxy's 595/596 pass.
      return error.http_status > 501;
    default:
      return false;
  }
}

}  // namespace proxmox
