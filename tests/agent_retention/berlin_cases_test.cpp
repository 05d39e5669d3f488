// The reference's Europe/Berlin cases (docs/retention.md section 3): each
// gives a different result in UTC, so both are checked.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/core/local_time.hpp"
#include "policies/retention_engine.hpp"

namespace agent {
namespace {

std::int64_t utc(int y, int mo, int d, int h, int mi = 0) {
  return policies::epoch_from_utc(policies::CivilTime{y, mo, d, h, mi, 0});
}

std::vector<std::string> reasons(const std::vector<policies::BackupEntry>& entries,
                                 const std::string& policy, const policies::LocalCalendar& cal) {
  std::vector<std::string> out;
  for (const auto& d :
       policies::mark_backups(entries, *policies::parse_prune_string(policy), cal)) {
    out.push_back(d.reason);
  }
  return out;
}

TEST(BerlinCases, GenBerlinDstFallbackHourlyRepeatedHourIsOnePeriod) {
  // 00:10Z and 00:50Z are 02:xx CEST; 01:10Z and 01:50Z are 02:xx CET; 02:10Z is 03:10 CET.
  const std::vector<policies::BackupEntry> entries{{"a", utc(2024, 10, 27, 0, 10), false},
                                                   {"b", utc(2024, 10, 27, 0, 50), false},
                                                   {"c", utc(2024, 10, 27, 1, 10), false},
                                                   {"d", utc(2024, 10, 27, 1, 50), false},
                                                   {"e", utc(2024, 10, 27, 2, 10), false}};
  const auto berlin = ZoneCalendar::open("Europe/Berlin").value();
  EXPECT_EQ(reasons(entries, "keep-hourly=2", berlin),
            (std::vector<std::string>{"remove: older duplicate in 2024-10-27 02:00 (hourly)",
                                      "remove: older duplicate in 2024-10-27 02:00 (hourly)",
                                      "remove: older duplicate in 2024-10-27 02:00 (hourly)",
                                      "keep: hourly 2/2", "keep: hourly 1/2"}));
  EXPECT_EQ(reasons(entries, "keep-hourly=2", policies::UtcCalendar{}),
            (std::vector<std::string>{"remove: beyond retention", "remove: beyond retention",
                                      "remove: older duplicate in 2024-10-27 01:00 (hourly)",
                                      "keep: hourly 2/2", "keep: hourly 1/2"}));
}

TEST(BerlinCases, GenBerlinDstSpringDailyLateEveningUtcIsAlreadyNextDay) {
  const std::vector<policies::BackupEntry> entries{{"a", utc(2024, 3, 30, 22, 30), false},
                                                   {"b", utc(2024, 3, 30, 23, 30), false},
                                                   {"c", utc(2024, 3, 31, 10, 0), false}};
  const auto berlin = ZoneCalendar::open("Europe/Berlin").value();
  EXPECT_EQ(
      reasons(entries, "keep-daily=2", berlin),
      (std::vector<std::string>{"keep: daily 2/2", "remove: older duplicate in 2024-03-31 (daily)",
                                "keep: daily 1/2"}));
  EXPECT_EQ(reasons(entries, "keep-daily=2", policies::UtcCalendar{}),
            (std::vector<std::string>{"remove: older duplicate in 2024-03-30 (daily)",
                                      "keep: daily 2/2", "keep: daily 1/2"}));
}

}  // namespace
}  // namespace agent
