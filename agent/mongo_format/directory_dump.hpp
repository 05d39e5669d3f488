#pragma once

#include <filesystem>

#include "agent/mongo_format/archive_verdict.hpp"

namespace agent::mongo_format {

// Validates a directory-form dump (`mongodump --out DIR [--gzip]`, as the old cron scripts
// wrote): `dir` is either the dump root (holding <db>/ folders) or one <db>/ folder. Each
// <coll>.bson[.gz] must be whole BSON documents back to back (gzip: one valid member), each
// <coll>.metadata.json[.gz] a JSON object with an `indexes` array, prelude.json[.gz] if present
// a JSON object. Namespaces are reported with their unescaped collection names.
ArchiveVerdict validate_directory_dump(const std::filesystem::path& dir);

}  // namespace agent::mongo_format
