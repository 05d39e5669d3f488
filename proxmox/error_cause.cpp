#include "proxmox/error_cause.hpp"

#include <string_view>

namespace proxmox {
namespace {

bool says(const Error& error, std::string_view words) {
  return error.message.find(words) != std::string::npos;
}

}  // namespace

Cause cause_of(const Error& error) {
  if (error.kind == Error::Kind::http_status && error.http_status == 400 &&
      says(error, "notes-template: property is not defined in schema")) {
    return Cause::notes_template_unsupported;
  }
  if (error.kind == Error::Kind::task_failed && says(error, "max backup limit")) {
    return Cause::backup_limit_reached;
  }
  if (says(error, "no prune-backups options configured")) return Cause::no_prune_settings;
  return Cause::other;
}

bool parameter_unsupported(const Error& error, std::string_view name) {
  return error.kind == Error::Kind::http_status && error.http_status == 400 &&
         says(error, std::string(name) + ": property is not defined in schema");
}

}  // namespace proxmox
