#include "tests/pvesim/prune.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace pvesim {
namespace {

const char* const k_rules[] = {"keep-last",   "keep-hourly",  "keep-daily",
                               "keep-weekly", "keep-monthly", "keep-yearly"};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// ISO 8601 week-based year and week number of a civil date.
std::pair<int, int> iso_week(const CivilTime& c) {
  const std::int64_t days = days_from_civil(c.year, c.month, c.day);
  const int wday_mon0 = static_cast<int>(((days % 7) + 10) % 7);  // Monday = 0
  const std::int64_t thursday = days - wday_mon0 + 3;
  const int iso_year = civil_from_seconds(thursday * 86400).year;
  const std::int64_t week = (thursday - days_from_civil(iso_year, 1, 1)) / 7 + 1;
  return {iso_year, static_cast<int>(week)};
}

std::string period(const std::string& rule, std::int64_t ctime, const TimeZone& tz) {
  if (rule == "keep-last") return std::to_string(ctime);
  const CivilTime c = tz.to_local(ctime);
  std::ostringstream key;
  if (rule == "keep-hourly") {
    key << c.year << '/' << c.month << '/' << c.day << '/' << c.hour;
  } else if (rule == "keep-daily") {
    key << c.year << '/' << c.month << '/' << c.day;
  } else if (rule == "keep-weekly") {
    const auto [y, w] = iso_week(c);
    key << w << '/' << y;
  } else if (rule == "keep-monthly") {
    key << c.year << '/' << c.month;
  } else {
    key << c.year;
  }
  return key.str();
}

}  // namespace

bool PruneOptions::keep_all() const {
  if (keep_all_flag) return true;
  return std::none_of(keep.begin(), keep.end(), [](const auto& kv) { return kv.second > 0; });
}

std::int64_t PruneOptions::total() const {
  std::int64_t sum = 0;
  for (const auto& [k, v] : keep) sum += v;
  return sum;
}

std::string PruneOptions::to_string() const {
  if (keep_all()) return "keep-all=1";
  std::string out;
  for (const auto& [k, v] : keep) {  // map order is alphabetical, as PVE prints them
    if (!out.empty()) out += ", ";
    out += k + "=" + std::to_string(v);
  }
  return out;
}

tl::expected<PruneOptions, std::string> parse_prune_options(const std::string& text) {
  PruneOptions options;
  std::istringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    part = trim(part);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string::npos) return tl::make_unexpected("value without key '" + part + "'");
    const std::string key = trim(part.substr(0, eq));
    const std::string value = trim(part.substr(eq + 1));
    if (key == "keep-all") {
      if (value != "0" && value != "1") return tl::make_unexpected("keep-all: invalid boolean");
      options.keep_all_flag = value == "1";
      continue;
    }
    if (std::find(std::begin(k_rules), std::end(k_rules), key) == std::end(k_rules)) {
      return tl::make_unexpected("invalid key '" + key + "'");
    }
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
      return tl::make_unexpected(key + ": type check ('integer') failed - got '" + value + "'");
    }
    if (options.keep.count(key) != 0) return tl::make_unexpected("duplicate key '" + key + "'");
    options.keep[key] = std::stoll(value);
  }
  if (options.keep_all_flag && std::any_of(options.keep.begin(), options.keep.end(),
                                           [](const auto& kv) { return kv.second > 0; })) {
    return tl::make_unexpected("keep-all cannot be set together with other options.");
  }
  return options;
}

void mark_backup_group(std::vector<PruneEntry>& group, const PruneOptions& options,
                       const TimeZone& tz) {
  for (auto& e : group) e.mark = e.is_protected ? "protected" : "";
  if (options.keep_all()) {
    for (auto& e : group) {
      if (e.mark.empty()) e.mark = "keep";
    }
    return;
  }
  std::stable_sort(group.begin(), group.end(),
                   [](const PruneEntry& a, const PruneEntry& b) { return a.ctime > b.ctime; });
  for (const char* rule : k_rules) {
    const auto it = options.keep.find(rule);
    if (it == options.keep.end() || it->second == 0) continue;
    const std::int64_t n = it->second;
    std::set<std::string> covered;
    for (const auto& e : group) {
      if (e.mark == "keep") covered.insert(period(rule, e.ctime, tz));
    }
    std::set<std::string> chosen;
    for (auto& e : group) {
      if (!e.mark.empty()) continue;
      const std::string p = period(rule, e.ctime, tz);
      if (covered.count(p) != 0) continue;
      if (chosen.count(p) != 0) {
        e.mark = "remove";
        continue;
      }
      if (static_cast<std::int64_t>(chosen.size()) >= n) break;
      chosen.insert(p);
      e.mark = "keep";
    }
  }
  for (auto& e : group) {
    if (e.mark.empty()) e.mark = "remove";
  }
}

}  // namespace pvesim
