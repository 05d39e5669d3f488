// Parsing, validation and normalisation of Proxmox `prune-backups` options, following
// PVE::JSONSchema::parse_property_string and PVE::Storage::Plugin::validate_prune_backups
// (docs/retention.md section 1).
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policies/retention_policy.hpp"

namespace policies {

namespace {

struct CountKey {
  std::string_view name;
  std::optional<std::int64_t> RetentionPolicy::*member;
};

// Rule order, which is also the canonical output order.
constexpr std::array<CountKey, 6> k_count_keys{{
    {"keep-last", &RetentionPolicy::keep_last},
    {"keep-hourly", &RetentionPolicy::keep_hourly},
    {"keep-daily", &RetentionPolicy::keep_daily},
    {"keep-weekly", &RetentionPolicy::keep_weekly},
    {"keep-monthly", &RetentionPolicy::keep_monthly},
    {"keep-yearly", &RetentionPolicy::keep_yearly},
}};

constexpr std::string_view k_allowed_keys =
    "keep-all, keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly, keep-yearly";

tl::unexpected<PolicyError> fail(std::string message) {
  return tl::unexpected(PolicyError{std::move(message)});
}

// Appended piecewise: `"\"" + std::string(s)` trips GCC 12's -Wrestrict false positive at -O3.
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

// Perl's parse_boolean: 1|on|yes|true and 0|off|no|false, case-insensitive.
std::optional<bool> parse_boolean(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "1" || lower == "on" || lower == "yes" || lower == "true") return true;
  if (lower == "0" || lower == "off" || lower == "no" || lower == "false") return false;
  return std::nullopt;
}

// JSONSchema's integer check (^[+-]?\d+$) plus the schema minimum of 0. "-0" is 0.
PolicyResult<std::int64_t> parse_count(std::string_view key, std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  const auto not_integer = [&] {
    return fail(std::string(key) + ": " + quoted(text) + " is not an integer >= 0");
  };
  if (digits.empty()) return not_integer();
  for (char c : digits) {
    if (c < '0' || c > '9') return not_integer();
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return fail(std::string(key) + ": " + quoted(text) + " is too large");
  }
  if (negative && value != 0) return not_integer();
  return value;
}

// Collects validated key/value pairs, then normalises them like validate_prune_backups.
class PolicyBuilder {
 public:
  tl::expected<void, PolicyError> add(std::string_view key, std::string_view value) {
    if (key == "keep-all") {
      if (m_keep_all_seen) return fail("duplicate key \"keep-all\"");
      m_keep_all_seen = true;
      const auto flag = parse_boolean(value);
      if (!flag) {
        return fail("keep-all: " + quoted(value) +
                    " is not a boolean (1|on|yes|true or 0|off|no|false)");
      }
      m_keep_all = *flag;
      return {};
    }
    for (const auto& k : k_count_keys) {
      if (k.name != key) continue;
      if (m_policy.*(k.member)) return fail("duplicate key " + quoted(key));
      auto count = parse_count(key, value);
      if (!count) return tl::unexpected(count.error());
      m_policy.*(k.member) = *count;
      return {};
    }
    return fail("unknown key " + quoted(key) + " (allowed: " + std::string(k_allowed_keys) + ")");
  }

  PolicyResult<RetentionPolicy> finish() const {
    bool any_positive = false;
    for (const auto& k : k_count_keys) {
      if (m_policy.*(k.member) && *(m_policy.*(k.member)) > 0) any_positive = true;
    }
    if (!any_positive) {
      RetentionPolicy all = blank();
      all.keep_all = true;
      return all;
    }
    if (m_keep_all) return fail("keep-all cannot be set together with other options");
    return m_policy;
  }

 private:
  static RetentionPolicy blank() {
    RetentionPolicy p;
    for (const auto& k : k_count_keys) p.*(k.member) = std::nullopt;
    return p;
  }

  RetentionPolicy m_policy = blank();
  bool m_keep_all = false;
  bool m_keep_all_seen = false;
};

bool is_blank(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

PolicyResult<RetentionPolicy> parse_prune_string(std::string_view text) {
  PolicyBuilder builder;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view part = text.substr(start, comma - start);
    start = comma + 1;
    if (is_blank(part)) continue;
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return fail(quoted(part) + ": value without key (expected key=value, e.g. keep-daily=7)");
    }
    if (eq == 0 || eq + 1 == part.size()) {
      return fail(quoted(part) + ": missing key or value (expected key=value, e.g. keep-daily=7)");
    }
    auto added = builder.add(part.substr(0, eq), part.substr(eq + 1));
    if (!added) return tl::unexpected(added.error());
  }
  return builder.finish();
}

PolicyResult<RetentionPolicy> policy_from_pairs(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  PolicyBuilder builder;
  for (const auto& [key, value] : pairs) {
    if (value.empty()) return fail(key + ": missing value");
    auto added = builder.add(key, value);
    if (!added) return tl::unexpected(added.error());
  }
  return builder.finish();
}

std::string to_prune_string(const RetentionPolicy& policy) {
  if (policy.keep_all) return "keep-all=1";
  std::string out;
  for (const auto& k : k_count_keys) {
    const auto& value = policy.*(k.member);
    if (!value) continue;
    if (!out.empty()) out += ',';
    out += std::string(k.name) + "=" + std::to_string(*value);
  }
  return out.empty() ? "keep-all=1" : out;
}

}  // namespace policies
