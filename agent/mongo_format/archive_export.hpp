#pragma once

#include <filesystem>
#include <string>

#include <tl/expected.hpp>

#include "agent/mongo_format/archive_limits.hpp"

namespace agent::mongo_format {

struct ExportOptions {
  // Write into a non-empty output directory, replacing files of the same names (only plain
  // files with a single link; never through a symbolic link). Other files there stay.
  bool overwrite = false;
  ArchiveLimits limits;  // as for the validator (a bomb is refused before it fills the disk)
};

// Writes a `--archive --gzip` file out as the directory layout mongodump --out --gzip would
// have written (<db>/<escaped coll>.bson.gz + .metadata.json.gz, oplog.bson), documents byte
// for byte, file names derived as mongodump derives them (collection_names.hpp). The archive is
// validated while exporting, by the same checks as ArchiveValidator: an archive `validate`
// rejects is rejected here with the same reason. Everything is created below `out_dir` only:
// the directory is opened once and every folder and file is created relative to it without
// following symbolic links (openat/mkdirat, O_NOFOLLOW, O_EXCL), folders 0700, files 0600,
// fsynced. `out_dir` must not exist or be empty unless options.overwrite. On any error what this
// export created is removed again and the error says what and where.
tl::expected<void, std::string> export_archive_to_directory(const std::filesystem::path& archive_gz,
                                                            const std::filesystem::path& out_dir,
                                                            const ExportOptions& options = {});

}  // namespace agent::mongo_format
