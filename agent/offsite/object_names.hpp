#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/config/offsite_config.hpp"
#include "agent/tier/tier_name.hpp"

// How off-site objects are named and tagged (docs/offsite.md). Key:
//   <prefix><target>/<tier>/<backup time, UTC, YYYYMMDDTHHMMSSZ>/<file name>.age
// e.g. "pve1/prod-cloud/vzdump/20251207T010002Z/vzdump-lxc-106-2025_12_07-01_00_02.tar.zst.age".
// Metadata (x-amz-meta-*) says what it is without the agent's state: the owner (installation
// id), the plaintext SHA-256 and size from the local record, the backup id, tier, target, time.
namespace agent::offsite {

inline constexpr const char* k_meta_owner = "smokerbak-owner";
inline constexpr const char* k_meta_sha256 = "smokerbak-sha256";
inline constexpr const char* k_meta_size = "smokerbak-size";
inline constexpr const char* k_meta_backup = "smokerbak-backup";
inline constexpr const char* k_meta_target = "smokerbak-target";
inline constexpr const char* k_meta_tier = "smokerbak-tier";
inline constexpr const char* k_meta_ctime = "smokerbak-ctime";
inline constexpr const char* k_meta_file = "smokerbak-file";
inline constexpr const char* k_meta_format = "smokerbak-format";
inline constexpr const char* k_format_value = "age-v1";

// "20251207T010002Z".
std::string utc_stamp(std::int64_t epoch);
std::optional<std::int64_t> parse_utc_stamp(std::string_view text);

// "<prefix><target>/": everything of one target on one destination.
std::string target_prefix(const OffsiteDestination& destination, const std::string& target);
std::string object_key(const OffsiteDestination& destination, const std::string& target,
                       TierName tier, std::int64_t ctime, const std::string& file_name);

struct ObjectName {
  std::string target;
  TierName tier = TierName::mongo;
  std::int64_t ctime = 0;
  std::string file_name;  // without ".age"
};
// nullopt for keys under the prefix that the agent did not name (left alone by pruning).
std::optional<ObjectName> parse_object_key(const OffsiteDestination& destination,
                                           std::string_view key);

// True for a name that is safe as one path component: [A-Za-z0-9._-], not starting with '.',
// at most 255 bytes. File names from a bucket are checked with it before they become paths.
bool safe_file_name(std::string_view name);

}  // namespace agent::offsite
