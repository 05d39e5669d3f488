#include "agent/offsite/object_names.hpp"

#include <algorithm>
#include <cstdio>

#include "policies/civil_time.hpp"

namespace agent::offsite {

std::string utc_stamp(std::int64_t epoch) {
  const auto t = policies::utc_from_epoch(epoch);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", static_cast<int>(t.year), t.month,
                t.day, t.hour, t.minute, t.second);
  return buf;
}

std::optional<std::int64_t> parse_utc_stamp(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const auto y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(9, 2), mi = num(11, 2),
             se = num(13, 2);
  if (!y || !mo || !d || !h || !mi || !se) return std::nullopt;
  policies::CivilTime t{*y, *mo, *d, *h, *mi, *se};
  if (!policies::is_valid(t)) return std::nullopt;
  return policies::epoch_from_utc(t);
}

std::string target_prefix(const OffsiteDestination& destination, const std::string& target) {
  return destination.prefix + target + "/";
}

std::string object_key(const OffsiteDestination& destination, const std::string& target,
                       TierName tier, std::int64_t ctime, const std::string& file_name) {
  return target_prefix(destination, target) + to_string(tier) + "/" + utc_stamp(ctime) + "/" +
         file_name + ".age";
}

std::optional<ObjectName> parse_object_key(const OffsiteDestination& destination,
                                           std::string_view key) {
  if (key.substr(0, destination.prefix.size()) != destination.prefix) return std::nullopt;
  key.remove_prefix(destination.prefix.size());
  // target / tier / stamp / file.age
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    const auto slash = key.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    parts[i] = key.substr(0, slash);
    key.remove_prefix(slash + 1);
  }
  parts[3] = key;
  constexpr std::string_view ext = ".age";
  if (parts[3].size() <= ext.size() || parts[3].substr(parts[3].size() - ext.size()) != ext) {
    return std::nullopt;
  }
  ObjectName out;
  out.target = std::string(parts[0]);
  const auto tier = parse_tier_name(parts[1]);
  const auto ctime = parse_utc_stamp(parts[2]);
  out.file_name = std::string(parts[3].substr(0, parts[3].size() - ext.size()));
  if (!tier || *tier == TierName::offsite || !ctime || out.target.empty() ||
      !safe_file_name(out.file_name)) {
    return std::nullopt;
  }
  out.tier = *tier;
  out.ctime = *ctime;
  return out;
}

bool safe_file_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && name.front() != '.' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

}  // namespace agent::offsite
