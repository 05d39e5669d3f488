#pragma once

#include <string>
#include <string_view>

namespace agent::mongo {

// Removes credentials from a mongodump/mongorestore log line: registered secrets and the
// password part of mongodb:// URIs (mongodump echoes the URI on connection failures,
// docs/mongodump-format.md). For lines that go to files and the command's output; the log
// redacts registered secrets by itself.
std::string redact_mongo_line(std::string_view line);

}  // namespace agent::mongo
