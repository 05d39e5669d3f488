#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Pure readers of vzdump task-log lines. vzdump writes them with PVE::VZDump::Plugin::debugmsg
// (pve-guest-common): "<LEVEL>: <text>", LEVEL one of INFO, WARN, ERROR (no timestamp in the
// task log; the per-guest .log copy has one). Lines come from outside: matching is exact,
// anchored at the start, and never allocates more than the line.
namespace proxmox {

// The line naming the archive being written, pve-manager PVE/VZDump.pm exec_backup_task:
//   "INFO: creating <what> archive '<target>'"
// with <what> = "vzdump" (directory storages; target = the full file path), "Proxmox Backup
// Server" (target = "ct/<vmid>/<YYYY-MM-DDThh:mm:ssZ>", the snapshot name) or a backup
// provider's provider_name() (target = the archive name the provider chose, PVE >= 8.4).
struct ArchiveLine {
  enum class Form { vzdump, pbs, provider };
  Form form = Form::vzdump;
  std::string what;    // "vzdump", "Proxmox Backup Server" or the provider's name
  std::string target;  // as logged, between the quotes
};

std::optional<ArchiveLine> parse_archive_line(std::string_view line);

// The first archive line of a log: later lines (tar's messages, which can quote file names
// from inside the guest) never override it.
std::optional<ArchiveLine> find_archive_line(const std::vector<std::string>& lines);

// The volid vzdump gives the archive (exec_backup_task: "<storage>:backup/<volname>", volname =
// the file's base name for vzdump, the target itself for PBS and providers). Check it with
// parse_backup_volid before use.
std::string archive_volid(const ArchiveLine& line, std::string_view storage);

// "INFO: starting new backup job: vzdump 106 --storage ..." (exec_backup), logged once the
// job holds the node's global vzdump lock; before it, a task may have logged job-init hook
// output and "INFO: trying to get global lock - waiting..." (PVE::VZDump->new, getlock).
// Returns the command line, or nullopt for any other line.
std::optional<std::string_view> job_command_line(std::string_view line);

// "INFO: trying to get global lock - waiting..." (getlock).
bool is_global_lock_wait(std::string_view line);

}  // namespace proxmox
