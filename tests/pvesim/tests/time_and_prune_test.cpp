// Local time (TZif) and the prune marking used by vzdump's remove=1.
#include <gtest/gtest.h>

#include <map>

#include "tests/pvesim/local_time.hpp"
#include "tests/pvesim/notes_template.hpp"
#include "tests/pvesim/prune.hpp"

namespace pvesim {
namespace {

TEST(PvesimTimeZone, BerlinFallBackFoldReadsAsTheEarlierInstant) {
  const auto tz = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(tz) << tz.error();
  // 2024-10-27 02:30 local exists twice; timelocal gives 00:30Z.
  EXPECT_EQ(tz->from_local({2024, 10, 27, 2, 30, 0}), 1729989000);
}

TEST(PvesimTimeZone, BerlinSpringGapMovesForward) {
  const auto tz = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(tz);
  // 2024-03-31 02:30 local does not exist; timelocal gives 01:30Z.
  EXPECT_EQ(tz->from_local({2024, 3, 31, 2, 30, 0}), 1711848600);
}

TEST(PvesimTimeZone, ToLocalAppliesSummerAndWinterOffsets) {
  const auto tz = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(tz);
  EXPECT_EQ(tz->to_local(1719792000).hour, 2);  // 2024-07-01 00:00Z = 02:00 CEST
  EXPECT_EQ(tz->to_local(1704067200).hour, 1);  // 2024-01-01 00:00Z = 01:00 CET
}

TEST(PvesimTimeZone, UnknownZoneIsAnError) { EXPECT_FALSE(TimeZone::load("Mars/Olympus_Mons")); }

std::vector<PruneEntry> daily(int first_day, int last_day) {
  std::vector<PruneEntry> out;
  for (int d = first_day; d <= last_day; ++d) {
    out.push_back({"d" + std::to_string(d), 1704103200 + (d - 1) * 86400, false, ""});
  }
  return out;
}

TEST(PvesimPrune, LaterRulesDoNotReCoverPeriodsOfEarlierRules) {
  auto group = daily(1, 17);
  mark_backup_group(group, *parse_prune_options("keep-daily=3,keep-weekly=2"), TimeZone::utc());
  std::vector<std::string> kept;
  for (const auto& e : group) {
    if (e.mark == "keep") kept.push_back(e.volid);
  }
  EXPECT_EQ(kept, (std::vector<std::string>{"d17", "d16", "d15", "d14", "d7"}));
}

TEST(PvesimPrune, ProtectedEntriesUseNoSlot) {
  auto group = daily(1, 3);
  group[2].is_protected = true;  // the newest
  mark_backup_group(group, *parse_prune_options("keep-last=1"), TimeZone::utc());
  std::map<std::string, std::string> marks;
  for (const auto& e : group) marks[e.volid] = e.mark;
  EXPECT_EQ(marks["d3"], "protected");
  EXPECT_EQ(marks["d2"], "keep");
  EXPECT_EQ(marks["d1"], "remove");
}

TEST(PvesimPrune, AllZeroCountsKeepEverything) {
  auto group = daily(1, 3);
  mark_backup_group(group, *parse_prune_options("keep-daily=0"), TimeZone::utc());
  for (const auto& e : group) EXPECT_EQ(e.mark, "keep");
  EXPECT_FALSE(parse_prune_options("keep-all=1,keep-daily=2"));
}

TEST(PvesimNotesTemplate, UnescapesThenSubstitutesLiterally) {
  EXPECT_EQ(expand_notes_template("{{vmid}}\\n\\\\{{node}}", {{"vmid", "106"}, {"node", "{{x}}"}}),
            "106\n\\{{x}}");
  EXPECT_EQ(notes_template_error("a\nb"), "contains a line feed");
  EXPECT_FALSE(notes_template_error("{{guestname}} {{cluster}}"));
}

}  // namespace
}  // namespace pvesim
