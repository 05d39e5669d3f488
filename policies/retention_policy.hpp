#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace policies {

// A Proxmox VE `prune-backups` policy after Proxmox's normalisation
// (docs/retention.md section 1): either keep_all, or the keep-* counts
// that were given (0 allowed and meaning "off"). Defaults are the project's: 7 daily,
// 4 weekly, 12 monthly.
struct RetentionPolicy {
  bool keep_all = false;
  std::optional<std::int64_t> keep_last;
  std::optional<std::int64_t> keep_hourly;
  std::optional<std::int64_t> keep_daily = 7;
  std::optional<std::int64_t> keep_weekly = 4;
  std::optional<std::int64_t> keep_monthly = 12;
  std::optional<std::int64_t> keep_yearly;

  friend bool operator==(const RetentionPolicy&, const RetentionPolicy&) = default;
};

struct PolicyError {
  std::string message;  // names the offending key or part, e.g. "keep-daily: value without key"
};

template <typename T>
using PolicyResult = tl::expected<T, PolicyError>;

// Parses a Proxmox option string such as "keep-daily=7,keep-weekly=4" with Proxmox's rules
// (integers >= 0, keep-all boolean forms, unknown/duplicate keys rejected, keep-all together
// with a positive option rejected) and normalises it.
PolicyResult<RetentionPolicy> parse_prune_string(std::string_view text);

// The same validation and normalisation for the YAML mapping form: `pairs` are key and raw
// scalar text in document order.
PolicyResult<RetentionPolicy> policy_from_pairs(
    const std::vector<std::pair<std::string, std::string>>& pairs);

// Canonical Proxmox string: "keep-all=1" or the set keys in rule order, e.g.
// "keep-daily=7,keep-weekly=4,keep-monthly=12".
std::string to_prune_string(const RetentionPolicy& policy);

}  // namespace policies
