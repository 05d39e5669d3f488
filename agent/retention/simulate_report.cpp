#include "agent/retention/simulate_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <vector>

namespace agent {

namespace {

std::string format_time(const policies::CivilTime& t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  return buf;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::vector<policies::LocalFields> local_fields(std::span<const policies::BackupEntry> entries,
                                                const ZoneCalendar& zone) {
  std::vector<std::int64_t> epochs(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) epochs[i] = entries[i].ctime;
  std::vector<policies::LocalFields> out(entries.size());
  zone.fields_of_many(epochs, out);
  return out;
}

// Day-cell strength: a kept backup shows over a protected one over removed ones.
int rank(char cell) {
  switch (cell) {
    case 'K':
      return 3;
    case 'P':
      return 2;
    case '-':
      return 1;
    default:
      return 0;
  }
}

}  // namespace

std::string render_decision_table(std::span<const policies::BackupEntry> entries,
                                  std::span<const policies::Decision> decisions,
                                  const ZoneCalendar& zone) {
  const auto local = local_fields(entries, zone);
  std::vector<std::size_t> order(entries.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return entries[a].ctime > entries[b].ctime;
  });
  std::size_t reason_width = 6;
  for (const auto& d : decisions) reason_width = std::max(reason_width, d.reason.size());
  std::string out = pad("TIME (" + zone.name() + ")", 21) + "  " + pad("MARK", 9) + "  " +
                    pad("REASON", reason_width) + "  ID\n";
  for (std::size_t i : order) {
    out += pad(format_time(local[i].civil), 21) + "  " +
           pad(std::string(policies::to_string(decisions[i].mark)), 9) + "  " +
           pad(decisions[i].reason, reason_width) + "  " + entries[i].id + "\n";
  }
  return out;
}

std::string render_month_calendar(std::span<const policies::BackupEntry> entries,
                                  std::span<const policies::Decision> decisions,
                                  const ZoneCalendar& zone) {
  const auto local = local_fields(entries, zone);
  struct Month {
    std::string days;
    int kept = 0;
    int total = 0;
  };
  std::map<std::int64_t, Month, std::greater<>> months;  // year*100+month, newest first
  int kept = 0, removed = 0, protected_count = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& c = local[i].civil;
    Month& m = months[static_cast<std::int64_t>(c.year) * 100 + c.month];
    if (m.days.empty())
      m.days.assign(static_cast<std::size_t>(policies::days_in_month(c.year, c.month)), '.');
    const char cell = decisions[i].mark == policies::Mark::keep               ? 'K'
                      : decisions[i].mark == policies::Mark::protected_backup ? 'P'
                                                                              : '-';
    char& slot = m.days[static_cast<std::size_t>(c.day - 1)];
    if (rank(cell) > rank(slot)) slot = cell;
    ++m.total;
    if (cell == 'K') ++m.kept;
    kept += cell == 'K';
    protected_count += cell == 'P';
    removed += cell == '-';
  }
  std::string out =
      "Per month (" + zone.name() + "): K kept, P protected, - removed, . no backup\n";
  out += "day      1        10        20        30\n";
  for (const auto& [key, m] : months) {
    char label[48];
    std::snprintf(label, sizeof label, "%04lld-%02lld", static_cast<long long>(key / 100),
                  static_cast<long long>(key % 100));
    out += std::string(label) + "  " + pad(m.days, 31) + "  kept " + std::to_string(m.kept) +
           " of " + std::to_string(m.total) + "\n";
  }
  out += std::to_string(entries.size()) + " backups: " + std::to_string(kept) + " keep, " +
         std::to_string(removed) + " remove, " + std::to_string(protected_count) + " protected\n";
  return out;
}

}  // namespace agent
