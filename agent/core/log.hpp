#pragma once

#include <string>
#include <string_view>

namespace agent {

// Configures the process-wide spdlog logger to write to stderr. Every line passes through
// redact() first, so a secret registered with register_secret() never reaches the log,
// whichever spdlog call wrote it.
// Under systemd (JOURNAL_STREAM set) lines carry a "<N>" syslog priority prefix and no
// timestamp, so journald neither duplicates the time nor loses the severity; on a terminal
// lines carry a local timestamp and the level name. `level` is one of
// trace|debug|info|warn|error; anything else falls back to info.
void setup_logging(std::string_view level);

// Replaces every occurrence of a known secret in `text` with "***". The log does it for every
// line; call it for text that goes elsewhere (a command's output, a file such as mongodump.log).
// Secrets are registered once when they are read (token, passwords).
void register_secret(const std::string& secret);
std::string redact(std::string_view text);

}  // namespace agent
