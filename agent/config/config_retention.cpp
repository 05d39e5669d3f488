// `retention`: the mapping form or one Proxmox prune-backups string, both validated and
// normalised by the policies module with Proxmox's own rules.
#include <algorithm>
#include <set>

#include "agent/config/config_schema.hpp"

namespace agent::config_yaml {
namespace {

const std::vector<std::string_view> k_retention_keys = {"keep-all",   "keep-last",   "keep-hourly",
                                                        "keep-daily", "keep-weekly", "keep-monthly",
                                                        "keep-yearly"};

// The key a policies error message starts with ("keep-daily: ..."), if any.
std::string_view leading_key(const std::string& message) {
  const auto colon = message.find(':');
  if (colon == std::string::npos) return {};
  const std::string_view key(message.data(), colon);
  for (const auto& k : k_retention_keys) {
    if (k == key) return k;
  }
  return {};
}

// Reports a policies error at the key it names ("keep-daily: ..."), else at the section.
void report(FieldReader& reader, const YAML::Node& value, const Field& field,
            const std::string& message) {
  const std::string_view key = leading_key(message);
  const auto at = key.empty() ? std::nullopt : reader.field(value, field.path, key);
  if (at) {
    std::string detail = message.substr(key.size() + 1);
    if (!detail.empty() && detail.front() == ' ') detail.erase(0, 1);
    reader.error(at->value, at->path, detail, at->key);
  } else {
    reader.error(value, field.path, message, field.key);
  }
}

}  // namespace

std::optional<policies::RetentionPolicy> decode_retention(const Field& field, FieldReader& reader) {
  const YAML::Node& value = field.value;
  if (value.IsScalar()) {
    auto policy = policies::parse_prune_string(value.Scalar());
    if (!policy) {
      reader.error(value, field.path, "invalid prune-backups string: " + policy.error().message,
                   field.key);
      return std::nullopt;
    }
    return *policy;
  }
  if (!value.IsMap()) {
    reader.error(value, field.path,
                 "expected a mapping of keep-* counts or a string like "
                 "\"keep-daily=7,keep-weekly=4\", got " +
                     describe(value),
                 field.key);
    return std::nullopt;
  }
  if (!reader.check_mapping(value, field.path, k_retention_keys)) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> pairs;
  std::set<std::string> seen;
  bool shaped = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    if (std::find(k_retention_keys.begin(), k_retention_keys.end(), key) ==
            k_retention_keys.end() ||
        !seen.insert(key).second) {
      shaped = false;  // unknown or duplicate: already reported by check_mapping
      continue;
    }
    if (!it->second.IsScalar()) {
      reader.error(
          it->second, join(field.path, key),
          "expected an integer >= 0 (or true/false for keep-all), got " + describe(it->second),
          it->first);
      shaped = false;
      continue;
    }
    // Each key on its own first, so that one bad key (or an unknown sibling) never hides
    // another key's problem.
    if (auto alone = policies::policy_from_pairs({{key, it->second.Scalar()}}); !alone) {
      report(reader, value, field, alone.error().message);
      shaped = false;
      continue;
    }
    pairs.emplace_back(key, it->second.Scalar());
  }
  if (!shaped) return std::nullopt;
  auto policy = policies::policy_from_pairs(pairs);
  if (!policy) {
    report(reader, value, field, policy.error().message);
    return std::nullopt;
  }
  return *policy;
}

}  // namespace agent::config_yaml
