#include "tests/pvesim/local_time.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace pvesim {

std::int64_t days_from_civil(int year, int month, int day) {
  const std::int64_t y = month <= 2 ? year - 1 : year;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime civil_from_seconds(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  CivilTime c;
  c.hour = static_cast<int>(rest / 3600);
  c.minute = static_cast<int>(rest % 3600 / 60);
  c.second = static_cast<int>(rest % 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int>(yoe + era * 400 + (c.month <= 2 ? 1 : 0));
  return c;
}

namespace {

std::int64_t read_be(const std::string& data, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v = (v << 8) | static_cast<unsigned char>(data[pos + static_cast<std::size_t>(i)]);
  }
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

}  // namespace

TimeZone TimeZone::utc() { return TimeZone{}; }

tl::expected<TimeZone, std::string> TimeZone::load(const std::string& name) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC") return utc();
  if (name.find("..") != std::string::npos || name.front() == '/') {
    return tl::make_unexpected("invalid time zone name '" + name + "'");
  }
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  if (!in) return tl::make_unexpected("unknown time zone '" + name + "' (no zoneinfo file)");
  const std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto bad = [&] { return tl::make_unexpected("unreadable zoneinfo file for '" + name + "'"); };
  if (data.size() < 44 || data.compare(0, 4, "TZif") != 0) return bad();

  // Skip the version-1 (32-bit) block when a version-2+ block follows.
  auto counts = [&](std::size_t at, std::int64_t out[6]) {
    for (int i = 0; i < 6; ++i)
      out[i] = read_be(data, at + 20 + 4 * static_cast<std::size_t>(i), 4);
  };
  std::int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  std::size_t pos = 44;
  int time_bytes = 4;
  if (data[4] >= '2') {
    pos += static_cast<std::size_t>(c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
    if (data.size() < pos + 44) return bad();
    counts(pos, c);
    pos += 44;
    time_bytes = 8;
  }
  const auto timecnt = static_cast<std::size_t>(c[3]);
  const auto typecnt = static_cast<std::size_t>(c[4]);
  if (typecnt == 0 ||
      data.size() < pos + timecnt * static_cast<std::size_t>(time_bytes + 1) + typecnt * 6) {
    return bad();
  }
  TimeZone tz;
  tz.m_name = name;
  std::vector<int> type_offsets(typecnt);
  const std::size_t types_at = pos + timecnt * static_cast<std::size_t>(time_bytes + 1);
  for (std::size_t i = 0; i < typecnt; ++i) {
    type_offsets[i] = static_cast<int>(read_be(data, types_at + i * 6, 4));
  }
  for (std::size_t i = 0; i < timecnt; ++i) {
    tz.m_transitions.push_back(
        read_be(data, pos + i * static_cast<std::size_t>(time_bytes), time_bytes));
    const auto idx =
        static_cast<unsigned char>(data[pos + timecnt * static_cast<std::size_t>(time_bytes) + i]);
    if (idx >= typecnt) return bad();
    tz.m_offsets_after.push_back(type_offsets[idx]);
  }
  tz.m_initial_offset = type_offsets[0];
  return tz;
}

int TimeZone::offset_at(std::int64_t epoch) const {
  const auto it = std::upper_bound(m_transitions.begin(), m_transitions.end(), epoch);
  if (it == m_transitions.begin()) return m_initial_offset;
  return m_offsets_after[static_cast<std::size_t>(it - m_transitions.begin() - 1)];
}

CivilTime TimeZone::to_local(std::int64_t epoch) const {
  return civil_from_seconds(epoch + offset_at(epoch));
}

std::int64_t TimeZone::from_local(const CivilTime& local) const {
  const std::int64_t naive = days_from_civil(local.year, local.month, local.day) * 86400 +
                             local.hour * 3600 + local.minute * 60 + local.second;
  // Candidates: the offsets in force a day before and a day after; a fold has two valid
  // instants and Perl's timelocal returns the earlier one.
  std::int64_t best = 0;
  bool found = false;
  for (const int off : {offset_at(naive - 86400), offset_at(naive + 86400)}) {
    const std::int64_t t = naive - off;
    if (offset_at(t) == off && (!found || t < best)) {
      best = t;
      found = true;
    }
  }
  return found ? best : naive - offset_at(naive - 86400);
}

}  // namespace pvesim
