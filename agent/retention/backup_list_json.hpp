#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "policies/retention_engine.hpp"

// The JSON forms of `retention simulate`: the input list of backups and the marked output.
namespace agent {

// Parses `[{"id": "...", "ctime": <epoch seconds>, "protected": true|false|0|1}, ...]`
// ("protected" optional, other members ignored so Proxmox listings can be fed in). The error
// names the element and member, e.g. `input[3]: "ctime" must be an integer (epoch seconds)`.
tl::expected<std::vector<policies::BackupEntry>, std::string> parse_backup_list_json(
    std::string_view text);

// `[{"id", "ctime", "mark": "keep"|"remove"|"protected", "reason", "rules": [...]}, ...]` in
// input order, pretty-printed with a trailing newline.
std::string decisions_to_json(std::span<const policies::BackupEntry> entries,
                              std::span<const policies::Decision> decisions);

}  // namespace agent
