#pragma once

#include <string>
#include <string_view>

namespace agent {

// Configures the process-wide spdlog logger to write to stderr.
// Under systemd (JOURNAL_STREAM set) lines carry a "<N>" syslog priority prefix and no
// timestamp, so journald neither duplicates the time nor loses the severity; on a terminal
// lines carry a local timestamp and the level name. `level` is one of
// trace|debug|info|warn|error; anything else falls back to info.
void setup_logging(std::string_view level);

// Replaces every occurrence of a known secret in `text` with "***" before it is logged or
// printed. Secrets are registered once when they are read (token, passwords).
void register_secret(const std::string& secret);
std::string redact(std::string_view text);

}  // namespace agent
