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
      // 500 is any error raised in a handler: often deterministic ("storage 'x' does not
      // exist"), sometimes not ("storage 'x' is not online" while an NFS server reboots), so
      // reads retry it within the bounded backoff. 501 is an unknown method or path.
      return error.http_status >= 500 && error.http_status != 501;
    default:
      return false;
  }
}

bool may_have_acted(const Error& error) {
  // A 500 is the handler's own refusal (501 is not transient either): it did not act. A
  // gateway's 502-504 or pveproxy's 595/596 may have lost the answer of one that did.
  return is_transient(error) &&
         !(error.kind == Error::Kind::http_status && error.http_status == 500);
}

}  // namespace proxmox
