#include "agent/mongo_format/archive_export.hpp"

namespace agent::mongo_format {

tl::expected<void, std::string> export_archive_to_directory(
    const std::filesystem::path& /*archive_gz*/, const std::filesystem::path& /*out_dir*/) {
  return tl::make_unexpected(std::string("archive export not implemented yet"));
}

}  // namespace agent::mongo_format
