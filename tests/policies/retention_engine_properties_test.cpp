// Properties of the engine over random groups and random policies (fixed seed, so a failure
// reproduces): they hold for Proxmox's algorithm whatever the input.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "policies/period.hpp"
#include "policies/retention_engine.hpp"
#include "tests/policies/utc_time.hpp"

namespace policies {
namespace {

constexpr int k_rounds = 400;

struct Sample {
  std::vector<BackupEntry> entries;
  RetentionPolicy policy;
};

class RandomGroups {
 public:
  Sample next() {
    Sample s;
    const int n = pick(0, 120);
    const std::int64_t base = policies_test::utc("2019-06-01");
    // Spans from a few hours to several years; ties are likely with the coarse grid.
    const std::int64_t span = std::int64_t{3600} << pick(2, 17);
    const std::int64_t grid = pick(0, 2) == 0 ? 1800 : 1;
    for (int i = 0; i < n; ++i) {
      const std::int64_t t = base + pick64(0, span) / grid * grid;
      s.entries.push_back({std::to_string(i), t, pick(0, 9) == 0});
    }
    s.policy.keep_all = pick(0, 30) == 0;
    for (auto* count : {&s.policy.keep_last, &s.policy.keep_hourly, &s.policy.keep_daily,
                        &s.policy.keep_weekly, &s.policy.keep_monthly, &s.policy.keep_yearly}) {
      const int r = pick(0, 4);
      *count = r == 0 ? std::optional<std::int64_t>{} : std::optional<std::int64_t>{pick(0, 6)};
    }
    return s;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
  std::int64_t pick64(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(m_rng);
  }
  std::mt19937_64 m_rng{20261126};
};

bool any_positive(const RetentionPolicy& p) {
  for (const auto& c :
       {p.keep_last, p.keep_hourly, p.keep_daily, p.keep_weekly, p.keep_monthly, p.keep_yearly}) {
    if (c && *c > 0) return true;
  }
  return false;
}

std::int64_t count_of(const RetentionPolicy& p, Rule r) {
  const std::optional<std::int64_t> counts[] = {p.keep_last,   p.keep_hourly,  p.keep_daily,
                                                p.keep_weekly, p.keep_monthly, p.keep_yearly};
  return counts[static_cast<int>(r)].value_or(0);
}

TEST(RetentionProperties, EveryEntryIsKeepRemoveOrProtectedAndProtectedExactlyWhenFlagged) {
  RandomGroups gen;
  for (int round = 0; round < k_rounds; ++round) {
    const Sample s = gen.next();
    const auto d = mark_backups(s.entries, s.policy, UtcCalendar{});
    ASSERT_EQ(d.size(), s.entries.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
      ASSERT_TRUE(d[i].mark == Mark::keep || d[i].mark == Mark::remove ||
                  d[i].mark == Mark::protected_backup);
      ASSERT_EQ(d[i].mark == Mark::protected_backup, s.entries[i].is_protected) << round;
      ASSERT_FALSE(d[i].reason.empty());
    }
  }
}

TEST(RetentionProperties, EachRuleKeepsAtMostOneBackupPerPeriodAndAtMostItsCount) {
  RandomGroups gen;
  const UtcCalendar cal;
  for (int round = 0; round < k_rounds; ++round) {
    const Sample s = gen.next();
    const auto d = mark_backups(s.entries, s.policy, cal);
    std::map<Rule, std::set<std::int64_t>> periods;
    std::map<Rule, int> kept;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (d[i].mark != Mark::keep || d[i].rules.empty()) continue;
      const Rule r = d[i].rules.front();  // the rule that kept it
      const auto key = period_key(r, s.entries[i].ctime, cal.fields(s.entries[i].ctime));
      ASSERT_TRUE(periods[r].insert(key).second) << "round " << round << " rule " << to_string(r);
      ++kept[r];
    }
    for (const auto& [rule, n] : kept) ASSERT_LE(n, count_of(s.policy, rule)) << round;
  }
}

TEST(RetentionProperties, NewestUnprotectedBackupIsAlwaysKept) {
  RandomGroups gen;
  for (int round = 0; round < k_rounds; ++round) {
    const Sample s = gen.next();
    const auto d = mark_backups(s.entries, s.policy, UtcCalendar{});
    std::optional<std::size_t> newest;
    for (std::size_t i = 0; i < s.entries.size(); ++i) {
      if (s.entries[i].is_protected) continue;
      // Ties: the first in input order is the one Proxmox keeps.
      if (!newest || s.entries[i].ctime > s.entries[*newest].ctime) newest = i;
    }
    if (newest) {
      ASSERT_EQ(d[*newest].mark, Mark::keep) << round;
    }
  }
}

TEST(RetentionProperties, WithoutPositiveCountsOrWithKeepAllNothingIsRemoved) {
  RandomGroups gen;
  for (int round = 0; round < k_rounds; ++round) {
    const Sample s = gen.next();
    if (s.policy.keep_all || !any_positive(s.policy)) {
      for (const auto& x : mark_backups(s.entries, s.policy, UtcCalendar{})) {
        ASSERT_NE(x.mark, Mark::remove) << round;
      }
    }
  }
}

TEST(RetentionProperties, RunningAgainOnTheKeptSetKeepsAllOfIt) {
  RandomGroups gen;
  for (int round = 0; round < k_rounds; ++round) {
    const Sample s = gen.next();
    const auto first = mark_backups(s.entries, s.policy, UtcCalendar{});
    std::vector<BackupEntry> kept;
    for (std::size_t i = 0; i < first.size(); ++i) {
      if (first[i].mark == Mark::keep) kept.push_back(s.entries[i]);
    }
    const auto second = mark_backups(kept, s.policy, UtcCalendar{});
    for (std::size_t i = 0; i < second.size(); ++i) {
      ASSERT_EQ(second[i].mark, Mark::keep) << "round " << round << " entry " << kept[i].id;
      ASSERT_EQ(second[i].reason, first[std::stoul(kept[i].id)].reason) << round;
    }
  }
}

TEST(RetentionProperties, InputOrderOfDistinctCtimesDoesNotChangeTheMarks) {
  RandomGroups gen;
  std::mt19937_64 shuffle_rng(7);
  for (int round = 0; round < k_rounds; ++round) {
    Sample s = gen.next();
    // Make ctimes unique so only the order of presentation changes.
    std::set<std::int64_t> seen;
    std::vector<BackupEntry> unique;
    for (auto& e : s.entries) {
      if (seen.insert(e.ctime).second) unique.push_back(e);
    }
    const auto before = mark_backups(unique, s.policy, UtcCalendar{});
    std::map<std::string, std::string> by_id;
    for (std::size_t i = 0; i < unique.size(); ++i) by_id[unique[i].id] = before[i].reason;
    std::shuffle(unique.begin(), unique.end(), shuffle_rng);
    const auto after = mark_backups(unique, s.policy, UtcCalendar{});
    for (std::size_t i = 0; i < unique.size(); ++i) {
      ASSERT_EQ(after[i].reason, by_id[unique[i].id]) << round;
    }
  }
}

}  // namespace
}  // namespace policies
