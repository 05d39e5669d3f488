#pragma once

#include <filesystem>
#include <string>

#include <tl/expected.hpp>

namespace agent::mongo_format {

// Writes a `--archive --gzip` file out as the directory layout mongodump --out --gzip would
// have written (<db>/<escaped coll>.bson.gz + .metadata.json.gz), documents byte for byte.
// `out_dir` must not exist or be empty. The archive is validated while exporting; on any
// error nothing partial is left behind and the error says what and where.
tl::expected<void, std::string> export_archive_to_directory(const std::filesystem::path& archive_gz,
                                                            const std::filesystem::path& out_dir);

}  // namespace agent::mongo_format
