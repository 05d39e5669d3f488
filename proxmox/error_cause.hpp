#pragma once

#include <string_view>

#include "proxmox/error.hpp"

// What a Proxmox VE error means where the agent acts on it. The server says these things only
// in words, so the words are matched here, in the module that speaks the API, and nowhere else
// (docs/proxmox-api.md section 2 lists them).
namespace proxmox {

enum class Cause {
  other,
  // 400 on notes-template "property is not defined in schema": the server predates PVE 7.2.
  notes_template_unsupported,
  // vzdump's "max backup limit" pre-check failed the backup (remove=0 with a finite
  // prune-backups on the storage or in the job).
  backup_limit_reached,
  // The prune preview of a storage that has no prune-backups setting.
  no_prune_settings,
};

Cause cause_of(const Error& error);

// True for a 400 parameter error saying that vzdump option `name` is not defined in the
// schema: a server older than the option (notification-mode: PVE 8.1;
// pbs-change-detection-mode: PVE 8.2). Refused before any task starts.
bool parameter_unsupported(const Error& error, std::string_view name);

}  // namespace proxmox
