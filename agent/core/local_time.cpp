#include "agent/core/local_time.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace agent {

namespace {

constexpr const char* k_zoneinfo = "/usr/share/zoneinfo";

bool is_safe_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/') return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-' || c == '+' || c == '.';
    if (!ok) return false;
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    const std::string_view part = name.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
}

bool is_tzif_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && std::string_view(magic, 4) == "TZif";
}

// The C library's local time of `epoch`. localtime_r only reads the zone glibc loaded (it
// takes glibc's own lock); years beyond struct tm's range fall back to UTC (no zone has rules
// there).
policies::CivilTime host_local_civil(std::int64_t epoch) {
  const time_t t = static_cast<time_t>(epoch);
  struct tm tm {};
  if (::localtime_r(&t, &tm) == nullptr) return policies::utc_from_epoch(epoch);
  return policies::CivilTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour,        tm.tm_min,     std::min(tm.tm_sec, 59)};
}

}  // namespace

tl::expected<ZoneCalendar, std::string> ZoneCalendar::open(std::string_view zone) {
  const std::string name(zone);
  if (zone == "local") {
    ::tzset();  // reads TZ (never writes it): "local" is the zone named now
    return ZoneCalendar(name, Source::local);
  }
  const auto unknown = [&](const std::string& why) {
    return tl::unexpected("unknown time zone \"" + name + "\" (" + why +
                          "); use \"local\", \"UTC\" or an IANA name such as Europe/Berlin");
  };
  if (!is_safe_zone_name(zone)) return unknown("not an IANA zone name");
  // UTC needs no tzdata: hosts without the tzdata package still know it.
  if (zone == "UTC" || zone == "Etc/UTC") return ZoneCalendar(name, Source::utc);
  const std::filesystem::path file = std::filesystem::path(k_zoneinfo) / name;
  if (!is_tzif_file(file)) return unknown("no zone file " + file.string());
  auto rules = ZoneRules::open(name);
  if (!rules) return unknown(rules.error());
  return ZoneCalendar(name, Source::named, std::move(*rules));
}

policies::LocalFields ZoneCalendar::fields(std::int64_t epoch) const {
  return policies::local_fields_of(civil(epoch));
}

void ZoneCalendar::fields_of_many(std::span<const std::int64_t> epochs,
                                  std::span<policies::LocalFields> out) const {
  for (std::size_t i = 0; i < epochs.size() && i < out.size(); ++i) out[i] = fields(epochs[i]);
}

policies::CivilTime ZoneCalendar::civil(std::int64_t epoch) const {
  if (m_source == Source::local) return host_local_civil(epoch);
  return policies::utc_from_epoch(epoch + utc_offset(epoch));
}

std::int64_t ZoneCalendar::utc_offset(std::int64_t epoch) const {
  switch (m_source) {
    case Source::utc:
      return 0;
    case Source::named:
      return m_rules->utc_offset(epoch);
    case Source::local:
      break;
  }
  return policies::epoch_from_utc(host_local_civil(epoch)) - epoch;
}

tl::expected<std::int64_t, std::string> ZoneCalendar::to_epoch(
    const policies::CivilTime& local) const {
  if (!policies::is_valid(local)) return tl::unexpected(std::string("invalid date or time"));
  const std::int64_t naive = policies::epoch_from_utc(local);
  // A local time can only mean naive - offset for an offset in effect within a day of it.
  const std::int64_t before = utc_offset(naive - 86400);
  const std::array<std::int64_t, 3> offsets{before, utc_offset(naive), utc_offset(naive + 86400)};
  std::optional<std::int64_t> earliest;
  for (std::int64_t off : offsets) {
    const std::int64_t candidate = naive - off;
    if (civil(candidate) == local && (!earliest || candidate < *earliest)) earliest = candidate;
  }
  if (earliest) return *earliest;
  // In a gap: read the time with the offset before the transition, which lands as far after
  // the gap's start as the time named (timelocal's behaviour).
  return naive - before;
}

}  // namespace agent
