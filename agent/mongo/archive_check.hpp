#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "agent/mongo/dump_limits.hpp"
#include "agent/mongo_format/archive_verdict.hpp"

namespace agent::mongo {

// One read of a stored archive: its SHA-256 and full validation together.
struct ArchiveCheck {
  std::uint64_t bytes = 0;
  std::string sha256;
  mongo_format::ArchiveVerdict verdict;
  std::string read_error;  // set when the file could not be read
};

// `on_read`, when set, is called with the size of each block read (for progress lines).
// `limits` bound the validator (the target's stored_limits(); the defaults without one).
ArchiveCheck check_stored_archive(const std::filesystem::path& file,
                                  const std::function<void(std::uint64_t bytes)>& on_read = {},
                                  const mongo_format::ArchiveLimits& limits = stored_limits());

}  // namespace agent::mongo
