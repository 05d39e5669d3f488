#pragma once

#include <cstdint>
#include <optional>

#include "agent/config/config.hpp"
#include "agent/mongo_format/archive_limits.hpp"

// The bounds a mongo operation keeps on what the container sends, from the target's mongo.*
// limits (docs/configuration.md, "Limits on what a container sends").
namespace agent::mongo {

// A new dump: the inflated size may reach the previous valid backup's stored size x
// max_inflated_ratio (never less than 4 GiB), and never more than max_inflated_bytes. Without
// a previous backup the ceiling alone applies.
mongo_format::ArchiveLimits dump_limits(const MongoLimits& limits,
                                        std::optional<std::uint64_t> previous_stored_bytes);

// A stored backup read again (validate, export, restore): the ceiling alone, since the backup
// itself passed the dump's cap when it was made.
mongo_format::ArchiveLimits stored_limits(const MongoLimits& limits = {});

}  // namespace agent::mongo
