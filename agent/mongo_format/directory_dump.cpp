#include "agent/mongo_format/directory_dump.hpp"

namespace agent::mongo_format {

ArchiveVerdict validate_directory_dump(const std::filesystem::path& /*dir*/) {
  ArchiveVerdict v;
  v.errors.push_back("directory validator not implemented yet");
  return v;
}

}  // namespace agent::mongo_format
