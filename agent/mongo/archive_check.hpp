#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "agent/mongo_format/archive_verdict.hpp"

namespace agent::mongo {

// One read of a stored archive: its SHA-256 and full validation together.
struct ArchiveCheck {
  std::uint64_t bytes = 0;
  std::string sha256;
  mongo_format::ArchiveVerdict verdict;
  std::string read_error;  // set when the file could not be read
};

ArchiveCheck check_stored_archive(const std::filesystem::path& file);

}  // namespace agent::mongo
