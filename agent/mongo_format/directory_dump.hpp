#pragma once

#include <filesystem>

#include "agent/mongo_format/archive_limits.hpp"
#include "agent/mongo_format/archive_verdict.hpp"

namespace agent::mongo_format {

// Validates a directory-form dump (`mongodump --out DIR [--gzip]`, as the old cron scripts
// wrote): `dir` is either the dump root (holding <db>/ folders) or one <db>/ folder. Each
// <coll>.bson[.gz] must be whole BSON documents back to back (gzip: one or more valid members),
// each <coll>.metadata.json[.gz] a JSON object with an `indexes` array, prelude.json[.gz] if
// present a JSON object. Database folder names and collection names (the metadata's
// collectionName, else the unescaped file name) must follow MongoDB's naming rules
// (mongo_names.hpp); symbolic links are not followed. The inflated total, nesting depth and the
// number of collection files are bounded by `limits`. Namespaces are reported with their
// unescaped collection names.
ArchiveVerdict validate_directory_dump(const std::filesystem::path& dir,
                                       const ArchiveLimits& limits = {});

}  // namespace agent::mongo_format
