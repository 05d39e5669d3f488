#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "agent/mongo/manifest.hpp"

namespace agent::mongo {

// Writes validation-report.txt (for people) and validation-report.json (the manifest's
// verdict part, for machines) into `dir`, each replaced atomically. Returns an error text.
std::optional<std::string> write_validation_report(const std::filesystem::path& dir,
                                                   const Manifest& manifest,
                                                   const std::string& outcome);

// The text form: one line per fact and one per collection.
std::string validation_report_text(const Manifest& manifest, const std::string& outcome);

}  // namespace agent::mongo
