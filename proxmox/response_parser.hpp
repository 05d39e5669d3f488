#pragma once

#include <string>
#include <vector>

#include "proxmox/error.hpp"
#include "proxmox/http_transport.hpp"
#include "proxmox/pct_config.hpp"
#include "proxmox/types.hpp"

// Decoding of API answers (response_parser.cpp is the only file that sees JSON; its
// exceptions become Error{parse} there). Public so unit tests can feed recorded bodies. Every
// reader is safe on hostile input: nesting over 64 levels, numbers out of range and malformed
// JSON are Error{parse}; invalid UTF-8 in strings becomes U+FFFD.
namespace proxmox::parse {

// The error a non-200 answer means, decoded as the server sends it: reason phrase, the
// per-parameter `errors` and `message` when present. 401 and 403 say which credential or
// privilege to fix.
Error error_from_response(const Request& request, const Response& response);

Result<Version> version(const std::string& body);
Result<std::vector<ClusterGuest>> cluster_guests(const std::string& body);
Result<GuestStatus> guest_status(const std::string& body);
// `data` as a string (a UPID, or "OK" from vzdump); null data gives "".
Result<std::string> string_data(const std::string& body);
Result<TaskStatus> task_status(const std::string& body);
Result<TaskLogPage> task_log(const std::string& body);
Result<std::vector<TaskSummary>> task_list(const std::string& body);
Result<std::vector<BackupVolume>> backup_list(const std::string& body);
Result<VolumeInfo> volume_info(const std::string& body);
Result<std::vector<BackupJob>> backup_jobs(const std::string& body);
Result<StorageConfig> storage_config(const std::string& body);
Result<std::vector<PruneMark>> prune_marks(const std::string& body);
Result<std::vector<StorageStatus>> storage_statuses(const std::string& body);
Result<StorageStatus> storage_status(const std::string& body);
Result<VzdumpDefaults> vzdump_defaults(const std::string& body);
Result<LxcConfig> lxc_config(const std::string& body);
// GET /access/permissions?path=P: {"data": {"P": {"VM.Audit": 1, ...}}}; the privilege names
// held on P, sorted (at most 256; names other than [A-Za-z.] are dropped).
Result<std::vector<std::string>> permissions(const std::string& body, const std::string& path);
// `data` as an integer, sent as a number or a numeric string (GET /cluster/nextid returns
// the vmid parameter as given, a string, or a computed number).
Result<std::int64_t> integer_data(const std::string& body);

// UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>: (docs/proxmox-api.md section 5).
Result<Upid> upid(const std::string& text);

}  // namespace proxmox::parse
