// Table-driven cases of the semantics in docs/retention.md (transcribed from the research
// note the project started from, whose case names they keep): each names the case or rule it
// pins. All run in UTC, as the upstream harness does;
// the Europe/Berlin cases live in tests/agent_retention (they need the IANA-zone calendar).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policies/retention_engine.hpp"
#include "tests/policies/utc_time.hpp"

namespace policies {
namespace {

using policies_test::utc;

struct In {
  std::string when;  // UTC, see utc()
  bool is_protected = false;
};

struct Case {
  std::string name;
  std::string policy;
  std::vector<In> entries;           // input order
  std::vector<std::string> reasons;  // expected, in input order
};

std::vector<std::string> run(const Case& c) {
  auto policy = parse_prune_string(c.policy);
  if (!policy) throw std::invalid_argument(c.name + ": bad policy: " + policy.error().message);
  std::vector<BackupEntry> entries;
  for (const auto& e : c.entries) entries.push_back({e.when, utc(e.when), e.is_protected});
  const auto decisions = mark_backups(entries, *policy, UtcCalendar{});
  std::vector<std::string> reasons;
  for (const auto& d : decisions) {
    // The mark and the reason must agree.
    const std::string prefix =
        d.mark == Mark::protected_backup ? "protected" : std::string(to_string(d.mark)) + ":";
    EXPECT_EQ(d.reason.rfind(prefix, 0), 0u) << c.name << ": " << d.reason;
    reasons.push_back(d.reason);
  }
  return reasons;
}

class Reference : public ::testing::TestWithParam<Case> {};

TEST_P(Reference, MarksMatchProxmox) { EXPECT_EQ(run(GetParam()), GetParam().reasons); }

const std::vector<Case> k_cases = {
    {"daily_jan_1_to_17_daily3_weekly2_keeps_five_because_later_rules_skip_covered_weeks",
     "keep-daily=3,keep-weekly=2",
     {{"2024-01-01 02:00"},
      {"2024-01-02 02:00"},
      {"2024-01-03 02:00"},
      {"2024-01-04 02:00"},
      {"2024-01-05 02:00"},
      {"2024-01-06 02:00"},
      {"2024-01-07 02:00"},
      {"2024-01-08 02:00"},
      {"2024-01-09 02:00"},
      {"2024-01-10 02:00"},
      {"2024-01-11 02:00"},
      {"2024-01-12 02:00"},
      {"2024-01-13 02:00"},
      {"2024-01-14 02:00"},
      {"2024-01-15 02:00"},
      {"2024-01-16 02:00"},
      {"2024-01-17 02:00"}},
     {"remove: older duplicate in 2024-W01 (weekly)",
      "remove: older duplicate in 2024-W01 (weekly)",
      "remove: older duplicate in 2024-W01 (weekly)",
      "remove: older duplicate in 2024-W01 (weekly)",
      "remove: older duplicate in 2024-W01 (weekly)",
      "remove: older duplicate in 2024-W01 (weekly)", "keep: weekly 2/2",
      "remove: older duplicate in 2024-W02 (weekly)",
      "remove: older duplicate in 2024-W02 (weekly)",
      "remove: older duplicate in 2024-W02 (weekly)",
      "remove: older duplicate in 2024-W02 (weekly)",
      "remove: older duplicate in 2024-W02 (weekly)",
      "remove: older duplicate in 2024-W02 (weekly)", "keep: weekly 1/2", "keep: daily 3/3",
      "keep: daily 2/3", "keep: daily 1/3"}},
    {"gen_utc_week_straddles_month_leaves_january_without_a_kept_backup",
     "keep-weekly=1,keep-monthly=2",
     {{"2023-12-15 12:00"}, {"2024-01-30 12:00"}, {"2024-02-01 12:00"}},
     {"keep: monthly 1/2", "remove: older duplicate in 2024-W05 (weekly)", "keep: weekly 1/1"}},
    {"upstream_2019_12_31_protected_backup_in_a_kept_hour_uses_no_slot",
     "keep-hourly=4",
     {{"2019-12-31 11:18:21"}, {"2019-12-31 11:18:51", true}, {"2019-12-31 11:19:21"}},
     {"remove: older duplicate in 2019-12-31 11:00 (hourly)", "protected", "keep: hourly 1/4"}},
    {"gen_utc_equal_ctime_keep_last_twins_are_one_slot_second_in_list_order_removed",
     "keep-last=2",
     {{"2024-05-01 01:00:00"},
      {"2024-05-01 01:00:00"},
      {"2024-04-30 01:00:00"},
      {"2024-04-29 01:00:00"}},
     {"keep: last 1/2", "remove: older duplicate in 2024-05-01 01:00:00 (last)", "keep: last 2/2",
      "remove: beyond retention"}},
    {"equal_ctimes_keep_input_order_in_daily",
     "keep-daily=1",
     {{"2024-05-01 01:00"}, {"2024-05-01 01:00"}},
     {"keep: daily 1/1", "remove: older duplicate in 2024-05-01 (daily)"}},
    {"weekly_uses_iso_year_2019_12_31_shares_2020_w01_with_january",
     "keep-weekly=2",
     {{"2019-12-23 10:00"}, {"2019-12-31 10:00"}, {"2020-01-05 10:00"}},
     {"keep: weekly 2/2", "remove: older duplicate in 2020-W01 (weekly)", "keep: weekly 1/2"}},
    {"yearly_uses_calendar_year_although_2024_12_30_is_2025_w01",
     "keep-yearly=2",
     {{"2024-06-01"}, {"2024-12-30"}, {"2025-01-02"}},
     {"remove: older duplicate in 2024 (yearly)", "keep: yearly 2/2", "keep: yearly 1/2"}},
    {"week_53_of_2020_spans_new_year",
     "keep-weekly=1",
     {{"2020-12-28"}, {"2021-01-03"}},
     {"remove: older duplicate in 2020-W53 (weekly)", "keep: weekly 1/1"}},
    {"counts_periods_with_backups_not_calendar_periods_so_gaps_use_no_slot",
     "keep-daily=2",
     {{"2024-01-01"}, {"2024-03-01"}, {"2024-06-01"}},
     {"remove: beyond retention", "keep: daily 2/2", "keep: daily 1/2"}},
    {"a_rule_stops_at_the_first_new_period_after_its_nth_leaving_the_rest_to_later_rules",
     "keep-daily=1,keep-monthly=1",
     {{"2024-04-10 05:00"}, {"2024-05-01 04:00"}, {"2024-05-02 04:00"}, {"2024-05-02 05:00"}},
     {"keep: monthly 1/1", "remove: beyond retention",
      "remove: older duplicate in 2024-05-02 (daily)", "keep: daily 1/1"}},
    {"protected_entries_cover_no_period_and_are_never_counted",
     "keep-daily=1",
     {{"2024-05-01 01:00"}, {"2024-05-02 01:00", true}},
     {"keep: daily 1/1", "protected"}},
    {"keep_all_keeps_everything_and_protected_stays_protected",
     "keep-all=1",
     {{"2024-05-01"}, {"2024-05-01"}, {"2020-01-01", true}},
     {"keep: keep-all", "keep: keep-all", "protected"}},
    {"all_zero_policy_keeps_everything",
     "keep-daily=0,keep-last=0",
     {{"2024-05-01"}, {"2024-05-01"}},
     {"keep: keep-all", "keep: keep-all"}},
    {"empty_policy_keeps_everything", "", {{"2024-05-01"}}, {"keep: keep-all"}},
    {"zero_count_rule_is_skipped_next_to_a_positive_one",
     "keep-last=0,keep-daily=1",
     {{"2024-05-01 01:00"}, {"2024-05-01 02:00"}},
     {"remove: older duplicate in 2024-05-01 (daily)", "keep: daily 1/1"}},
    {"rule_order_is_fixed_last_before_hourly",
     "keep-hourly=1,keep-last=1",
     {{"2024-05-01 01:10"}, {"2024-05-01 01:20"}, {"2024-05-01 00:50"}},
     {"remove: beyond retention", "keep: last 1/1", "keep: hourly 1/1"}},
    {"year_2070_timestamps_from_the_upstream_test",
     "keep-yearly=1,keep-monthly=1",
     {{"2069-12-31 23:59"}, {"2070-01-01 00:01"}, {"2070-01-01 00:00"}},
     {"keep: yearly 1/1", "keep: monthly 1/1", "remove: older duplicate in 2070-01 (monthly)"}},
    {"unsorted_input_is_decided_newest_first_and_reported_in_input_order",
     "keep-last=2",
     {{"2024-05-02"}, {"2024-05-03"}, {"2024-05-01"}},
     {"keep: last 2/2", "keep: last 1/2", "remove: beyond retention"}},
    {"an_empty_group_gives_no_decisions", "keep-daily=7", {}, {}},
};

INSTANTIATE_TEST_SUITE_P(PruneSemantics, Reference, ::testing::ValuesIn(k_cases),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(RetentionEngine, DailyWeeklyExampleKeepsFiveBackups) {
  // The reference's headline figure (restic would keep 4).
  Case c = k_cases[0];
  std::vector<BackupEntry> entries;
  for (const auto& e : c.entries) entries.push_back({e.when, utc(e.when), false});
  const auto decisions =
      mark_backups(entries, *parse_prune_string("keep-daily=3,keep-weekly=2"), UtcCalendar{});
  int kept = 0;
  for (const auto& d : decisions) kept += d.mark == Mark::keep ? 1 : 0;
  EXPECT_EQ(kept, 5);
}

TEST(RetentionEngine, NegativeCountInADirectCallDisablesItsRule) {
  RetentionPolicy p;
  p.keep_daily = -1;
  p.keep_weekly = std::nullopt;
  p.keep_monthly = 1;
  const std::vector<BackupEntry> entries{{"a", utc("2024-05-01"), false},
                                         {"b", utc("2024-05-02"), false}};
  const auto d = mark_backups(entries, p, UtcCalendar{});
  EXPECT_EQ(d[1].reason, "keep: monthly 1/1");
  EXPECT_EQ(d[0].reason, "remove: older duplicate in 2024-05 (monthly)");
}

TEST(RetentionEngine, KeptBackupNamesEveryRuleItRepresents) {
  // Jan 17 is kept by daily and is the newest kept backup of covered week 2024-W03 and month
  // 2024-01; Jan 16 is kept by daily only.
  const std::vector<BackupEntry> entries{{"16", utc("2024-01-16"), false},
                                         {"17", utc("2024-01-17"), false}};
  const auto d = mark_backups(
      entries, *parse_prune_string("keep-daily=2,keep-weekly=4,keep-monthly=3"), UtcCalendar{});
  EXPECT_EQ(join_rules(d[1].rules), "daily, weekly, monthly");
  EXPECT_EQ(join_rules(d[0].rules), "daily");
}

TEST(RetentionEngine, ProjectDefaultPolicyIsSevenDailyFourWeeklyTwelveMonthly) {
  std::vector<BackupEntry> entries;
  for (int day = 0; day < 400; ++day) {
    entries.push_back({std::to_string(day), utc("2024-01-01 01:00") + day * 86400, false});
  }
  const auto d = mark_backups(entries, RetentionPolicy{}, UtcCalendar{});
  int kept = 0;
  for (const auto& x : d) kept += x.mark == Mark::keep ? 1 : 0;
  EXPECT_EQ(kept, 7 + 4 + 12);
}

}  // namespace
}  // namespace policies
