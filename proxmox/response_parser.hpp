#pragma once

#include <string>
#include <vector>

#include "proxmox/error.hpp"
#include "proxmox/http_transport.hpp"
#include "proxmox/types.hpp"

// Decoding of API answers (response_parser.cpp is the only file that sees JSON; its
// exceptions become Error{parse} there). Public so unit tests can feed recorded bodies.
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

// UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>: (docs/proxmox-api.md section 4).
Result<Upid> upid(const std::string& text);

}  // namespace proxmox::parse
