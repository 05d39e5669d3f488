#include "agent/retention/local_time.hpp"

#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <system_error>
#include <vector>

namespace agent {

namespace {

std::mutex g_tz_mutex;

// Holds the TZ lock and, for a named zone, points glibc at it; restores TZ on exit.
class ScopedZone {
 public:
  explicit ScopedZone(const std::optional<std::string>& tz_value) : m_lock(g_tz_mutex) {
    if (tz_value) {
      if (const char* old = std::getenv("TZ")) m_saved = old;
      ::setenv("TZ", tz_value->c_str(), 1);
      m_changed = true;
    }
    ::tzset();
  }
  ~ScopedZone() {
    if (!m_changed) return;
    if (m_saved) {
      ::setenv("TZ", m_saved->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  ScopedZone(const ScopedZone&) = delete;
  ScopedZone& operator=(const ScopedZone&) = delete;

  // Local fields of `epoch` in the current zone. Years beyond struct tm's range fall back to
  // UTC (no zone has rules there).
  static policies::CivilTime civil(std::int64_t epoch) {
    const time_t t = static_cast<time_t>(epoch);
    struct tm tm {};
    if (::localtime_r(&t, &tm) == nullptr) return policies::utc_from_epoch(epoch);
    return policies::CivilTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                               tm.tm_hour,        tm.tm_min,     std::min(tm.tm_sec, 59)};
  }
  static std::int64_t offset(std::int64_t epoch) {
    return policies::epoch_from_utc(civil(epoch)) - epoch;
  }

 private:
  std::unique_lock<std::mutex> m_lock;
  std::optional<std::string> m_saved;
  bool m_changed = false;
};

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

}  // namespace

tl::expected<ZoneCalendar, std::string> ZoneCalendar::open(std::string_view zone) {
  const std::string name(zone);
  if (zone == "local") return ZoneCalendar(name, std::nullopt);
  const auto unknown = [&](const std::string& why) {
    return tl::unexpected("unknown time zone \"" + name + "\" (" + why +
                          "); use \"local\", \"UTC\" or an IANA name such as Europe/Berlin");
  };
  if (!is_safe_zone_name(zone)) return unknown("not an IANA zone name");
  const char* dir_env = std::getenv("TZDIR");
  const std::filesystem::path dir =
      dir_env != nullptr && *dir_env != '\0' ? dir_env : "/usr/share/zoneinfo";
  const std::filesystem::path file = dir / name;
  if (is_tzif_file(file)) return ZoneCalendar(name, ":" + file.string());
  // UTC needs no tzdata: hosts without the tzdata package still know it.
  if (zone == "UTC" || zone == "Etc/UTC") return ZoneCalendar(name, std::string("UTC0"));
  return unknown("no zone file " + file.string());
}

policies::LocalFields ZoneCalendar::fields(std::int64_t epoch) const {
  const ScopedZone zone(m_tz_value);
  return policies::local_fields_of(ScopedZone::civil(epoch));
}

void ZoneCalendar::fields_of_many(std::span<const std::int64_t> epochs,
                                  std::span<policies::LocalFields> out) const {
  const ScopedZone zone(m_tz_value);
  for (std::size_t i = 0; i < epochs.size() && i < out.size(); ++i) {
    out[i] = policies::local_fields_of(ScopedZone::civil(epochs[i]));
  }
}

policies::CivilTime ZoneCalendar::civil(std::int64_t epoch) const {
  const ScopedZone zone(m_tz_value);
  return ScopedZone::civil(epoch);
}

std::int64_t ZoneCalendar::utc_offset(std::int64_t epoch) const {
  const ScopedZone zone(m_tz_value);
  return ScopedZone::offset(epoch);
}

tl::expected<std::int64_t, std::string> ZoneCalendar::to_epoch(
    const policies::CivilTime& local) const {
  if (!policies::is_valid(local)) return tl::unexpected(std::string("invalid date or time"));
  const std::int64_t naive = policies::epoch_from_utc(local);
  const ScopedZone zone(m_tz_value);
  // A local time can only mean naive - offset for an offset in effect within a day of it.
  const std::int64_t before = ScopedZone::offset(naive - 86400);
  std::vector<std::int64_t> offsets{before, ScopedZone::offset(naive),
                                    ScopedZone::offset(naive + 86400)};
  std::optional<std::int64_t> earliest;
  for (std::int64_t off : offsets) {
    const std::int64_t candidate = naive - off;
    if (ScopedZone::civil(candidate) == local && (!earliest || candidate < *earliest)) {
      earliest = candidate;
    }
  }
  if (earliest) return *earliest;
  // In a gap: read the time with the offset before the transition, which lands as far after
  // the gap's start as the time named (timelocal's behaviour).
  return naive - before;
}

}  // namespace agent
