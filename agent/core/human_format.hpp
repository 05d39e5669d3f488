#pragma once

#include <cstdint>
#include <string>

// Formatting for people and for machine-readable timestamps, shared by every command.
namespace agent {

// "512 B", "4.0 MiB", "1.2 GiB" (binary units).
std::string human_bytes(std::uint64_t bytes);
// A non-negative duration: "42m", "5h02m", "3d04h".
std::string human_duration(std::int64_t seconds);
// `epoch` in UTC through strftime(`format`), e.g. "%Y-%m-%d %H:%M" (at most 63 characters).
std::string format_utc(std::int64_t epoch, const char* format);
// RFC 3339 UTC, e.g. "2026-11-26T01:00:02Z".
std::string rfc3339_utc(std::int64_t epoch);

}  // namespace agent
