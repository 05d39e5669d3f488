#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

// Checks of single configuration values. Each returns std::nullopt when `value` is acceptable,
// otherwise the message for a ConfigDiagnostic ("expected ..., got ...").
namespace agent::config_checks {

// https://HOST[:PORT] with nothing after it except an optional "/" (the client appends
// "/api2/json").
std::optional<std::string> check_api_url(std::string_view value);

// "user@realm!tokenname".
std::optional<std::string> check_token_id(std::string_view value);

// SHA-256 as 32 colon-separated hex byte pairs, e.g. "AB:CD:...".
std::optional<std::string> check_fingerprint(std::string_view value);

// Target names become directory names and appear in backup notes: 1-64 characters of
// [A-Za-z0-9._-], starting with a letter or digit.
std::optional<std::string> check_target_name(std::string_view value);

// Proxmox storage IDs: a letter, then letters, digits, '-', '_' or '.'.
std::optional<std::string> check_storage_id(std::string_view value);

// MongoDB database names: non-empty, at most 63 bytes, none of / \ . " $ space NUL.
std::optional<std::string> check_database_name(std::string_view value);

// "local", or an IANA zone name that exists as a file under `zoneinfo_dir`.
std::optional<std::string> check_timezone(
    std::string_view value, const std::filesystem::path& zoneinfo_dir = "/usr/share/zoneinfo");

// A secret reference: an absolute path, or a bare systemd credential name (no '/').
std::optional<std::string> check_secret_ref(std::string_view value);

}  // namespace agent::config_checks
