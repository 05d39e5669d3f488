#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "agent/mongo/manifest.hpp"

namespace agent::mongo {

// Writes validation-report.txt (for people) and validation-report.json (the manifest's
// verdict part, for machines) into `dir`, each replaced atomically. Returns an error text.
std::optional<std::string> write_validation_report(const std::filesystem::path& dir,
                                                   const Manifest& manifest,
                                                   const std::string& outcome);

// The text form: one line per fact and one per collection.
std::string validation_report_text(const Manifest& manifest, const std::string& outcome);

// Writes `content` to `path` via a temp file in the same directory, fsync and rename.
std::optional<std::string> write_text_atomically(const std::filesystem::path& path,
                                                 std::string_view content);

}  // namespace agent::mongo
