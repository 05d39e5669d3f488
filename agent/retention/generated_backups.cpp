#include "agent/retention/generated_backups.hpp"

#include <charconv>
#include <cstdio>

namespace agent {

namespace {

struct Interval {
  std::int64_t count = 0;
  char unit = 'd';
};

bool read_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

tl::expected<Interval, std::string> parse_interval(std::string_view text) {
  const auto bad = [&] {
    return tl::unexpected("interval \"" + std::string(text) +
                          "\": expected a positive number and a unit s, m, h, d or w (e.g. 1d)");
  };
  if (text.size() < 2) return bad();
  Interval iv;
  iv.unit = text.back();
  const std::string_view digits = text.substr(0, text.size() - 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), iv.count);
  if (ec != std::errc() || end != digits.data() + digits.size() || iv.count <= 0) return bad();
  if (std::string_view("smhdw").find(iv.unit) == std::string_view::npos) return bad();
  if (iv.count > 100'000'000) return bad();
  return iv;
}

std::string id_of(const policies::CivilTime& t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  return buf;
}

}  // namespace

tl::expected<policies::CivilTime, std::string> parse_local_datetime(std::string_view text) {
  const auto bad = [&] {
    return tl::unexpected("\"" + std::string(text) +
                          "\": expected YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS");
  };
  policies::CivilTime t;
  if (text.size() != 10 && text.size() != 16 && text.size() != 19) return bad();
  if (text[4] != '-' || text[7] != '-') return bad();
  if (!read_int(text.substr(0, 4), t.year) || !read_int(text.substr(5, 2), t.month) ||
      !read_int(text.substr(8, 2), t.day)) {
    return bad();
  }
  if (text.size() >= 16) {
    if ((text[10] != 'T' && text[10] != ' ') || text[13] != ':') return bad();
    if (!read_int(text.substr(11, 2), t.hour) || !read_int(text.substr(14, 2), t.minute)) {
      return bad();
    }
  }
  if (text.size() == 19) {
    if (text[16] != ':' || !read_int(text.substr(17, 2), t.second)) return bad();
  }
  if (!policies::is_valid(t)) {
    return tl::unexpected("\"" + std::string(text) + "\": no such date or time");
  }
  return t;
}

tl::expected<std::vector<policies::BackupEntry>, std::string> generate_backups(
    std::string_view spec, const ZoneCalendar& zone) {
  const std::size_t c1 = spec.find(',');
  const std::size_t c2 = c1 == std::string_view::npos ? c1 : spec.find(',', c1 + 1);
  if (c2 == std::string_view::npos || spec.find(',', c2 + 1) != std::string_view::npos) {
    return tl::unexpected("--generate \"" + std::string(spec) +
                          "\": expected START,END,INTERVAL, e.g. 2025-01-01T01:00,2025-12-31,1d");
  }
  const auto start = parse_local_datetime(spec.substr(0, c1));
  if (!start) return tl::unexpected("--generate START " + start.error());
  const auto end = parse_local_datetime(spec.substr(c1 + 1, c2 - c1 - 1));
  if (!end) return tl::unexpected("--generate END " + end.error());
  const auto interval = parse_interval(spec.substr(c2 + 1));
  if (!interval) return tl::unexpected("--generate " + interval.error());
  const auto start_epoch = zone.to_epoch(*start);
  const auto end_epoch = zone.to_epoch(*end);
  if (!start_epoch || !end_epoch) return tl::unexpected(std::string("--generate: invalid time"));
  if (*end_epoch < *start_epoch) {
    return tl::unexpected(std::string("--generate: END is before START"));
  }

  std::vector<std::int64_t> epochs;
  if (interval->unit == 'd' || interval->unit == 'w') {
    // Calendar steps: the same wall-clock time each day, as a nightly timer fires.
    const std::int64_t step_days = interval->count * (interval->unit == 'w' ? 7 : 1);
    const std::int64_t first_day = policies::days_from_civil(start->year, start->month, start->day);
    for (std::int64_t day = first_day;; day += step_days) {
      policies::CivilTime t = policies::civil_from_days(day);
      t.hour = start->hour;
      t.minute = start->minute;
      t.second = start->second;
      const auto epoch = zone.to_epoch(t);
      if (!epoch || *epoch > *end_epoch) break;
      if (static_cast<std::int64_t>(epochs.size()) >= k_max_generated_backups) break;
      epochs.push_back(*epoch);
    }
  } else {
    const std::int64_t step = interval->count * (interval->unit == 'h'   ? 3600
                                                 : interval->unit == 'm' ? 60
                                                                         : 1);
    if ((*end_epoch - *start_epoch) / step >= k_max_generated_backups) {
      return tl::unexpected("--generate: more than " + std::to_string(k_max_generated_backups) +
                            " backups; use a longer interval or a shorter range");
    }
    for (std::int64_t t = *start_epoch; t <= *end_epoch; t += step) epochs.push_back(t);
  }
  if (static_cast<std::int64_t>(epochs.size()) >= k_max_generated_backups) {
    return tl::unexpected("--generate: more than " + std::to_string(k_max_generated_backups) +
                          " backups; use a longer interval or a shorter range");
  }

  std::vector<policies::LocalFields> local(epochs.size());
  zone.fields_of_many(epochs, local);
  std::vector<policies::BackupEntry> entries;
  entries.reserve(epochs.size());
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    entries.push_back({id_of(local[i].civil), epochs[i], false});
  }
  return entries;
}

}  // namespace agent
