#include <gtest/gtest.h>

#include "policies/retention_policy.hpp"

namespace policies {
namespace {

RetentionPolicy blank() {
  RetentionPolicy p;
  p.keep_daily = p.keep_weekly = p.keep_monthly = std::nullopt;
  return p;
}

RetentionPolicy keep_all() {
  RetentionPolicy p = blank();
  p.keep_all = true;
  return p;
}

std::string error_of(std::string_view text) {
  auto r = parse_prune_string(text);
  return r ? std::string("<accepted>") : r.error().message;
}

TEST(ParsePruneString, ReadsEveryCountKey) {
  auto r = parse_prune_string(
      "keep-last=1,keep-hourly=2,keep-daily=3,keep-weekly=4,keep-monthly=5,keep-yearly=6");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->keep_last, 1);
  EXPECT_EQ(r->keep_hourly, 2);
  EXPECT_EQ(r->keep_daily, 3);
  EXPECT_EQ(r->keep_weekly, 4);
  EXPECT_EQ(r->keep_monthly, 5);
  EXPECT_EQ(r->keep_yearly, 6);
  EXPECT_FALSE(r->keep_all);
}

TEST(ParsePruneString, KeysNotGivenStayUnsetInsteadOfTakingProjectDefaults) {
  auto r = parse_prune_string("keep-daily=7");
  ASSERT_TRUE(r);
  RetentionPolicy want = blank();
  want.keep_daily = 7;
  EXPECT_EQ(*r, want);
}

TEST(ParsePruneString, EmptyStringAllZerosAndKeepAllZeroAloneMeanKeepAll) {
  for (const char* text : {"", ",,", " ", "keep-daily=0", "keep-daily=0,keep-weekly=0",
                           "keep-all=0", "keep-all=1", "keep-all=yes,keep-last=0"}) {
    auto r = parse_prune_string(text);
    ASSERT_TRUE(r) << text << ": " << r.error().message;
    EXPECT_EQ(*r, keep_all()) << text;
  }
}

TEST(ParsePruneString, ZeroCountsNextToAPositiveOneAreKept) {
  auto r = parse_prune_string("keep-all=0,keep-last=10,keep-daily=0");
  ASSERT_TRUE(r);
  RetentionPolicy want = blank();
  want.keep_last = 10;
  want.keep_daily = 0;
  EXPECT_EQ(*r, want);
}

TEST(ParsePruneString, KeepAllWithAPositiveOptionIsAnError) {
  EXPECT_EQ(error_of("keep-all=1,keep-daily=7"),
            "keep-all cannot be set together with other options");
}

TEST(ParsePruneString, AcceptsProxmoxIntegerForms) {
  EXPECT_EQ(parse_prune_string("keep-daily=+3")->keep_daily, 3);
  EXPECT_EQ(parse_prune_string("keep-daily=007")->keep_daily, 7);
  EXPECT_EQ(*parse_prune_string("keep-daily=-0"), keep_all());
}

TEST(ParsePruneString, RejectsNonIntegersAndNegativesNamingTheKey) {
  for (const char* value : {"1.5", "1e3", "-1", " 7", "7 ", "7=8", "x", "+"}) {
    const std::string text = std::string("keep-daily=") + value;
    EXPECT_EQ(error_of(text), std::string("keep-daily: \"") + value + "\" is not an integer >= 0")
        << text;
  }
}

TEST(ParsePruneString, RejectsHugeNumbers) {
  EXPECT_EQ(error_of("keep-daily=99999999999999999999"),
            "keep-daily: \"99999999999999999999\" is too large");
}

TEST(ParsePruneString, PartWithoutEqualsIsValueWithoutKey) {
  EXPECT_EQ(error_of("keep-daily"),
            "\"keep-daily\": value without key (expected key=value, e.g. keep-daily=7)");
}

TEST(ParsePruneString, EmptyKeyOrValueIsMissingKey) {
  EXPECT_NE(error_of("keep-daily=").find("missing key"), std::string::npos);
  EXPECT_NE(error_of("=7").find("missing key"), std::string::npos);
}

TEST(ParsePruneString, UnknownAndUntrimmedKeysAreErrors) {
  EXPECT_EQ(error_of("keep-monthyl=5").rfind("unknown key \"keep-monthyl\"", 0), 0u);
  EXPECT_EQ(error_of(" keep-daily=7").rfind("unknown key \" keep-daily\"", 0), 0u);
  EXPECT_EQ(error_of("Keep-Daily=7").rfind("unknown key", 0), 0u);
}

TEST(ParsePruneString, DuplicateKeysAreErrors) {
  EXPECT_EQ(error_of("keep-daily=7,keep-daily=7"), "duplicate key \"keep-daily\"");
  EXPECT_EQ(error_of("keep-all=0,keep-all=0"), "duplicate key \"keep-all\"");
}

TEST(ParsePruneString, KeepAllTakesPerlBooleansCaseInsensitively) {
  for (const char* v : {"1", "on", "YES", "True"}) {
    EXPECT_EQ(*parse_prune_string(std::string("keep-all=") + v), keep_all()) << v;
  }
  EXPECT_EQ(*parse_prune_string("keep-all=OFF,keep-last=2"), [] {
    RetentionPolicy p = blank();
    p.keep_last = 2;
    return p;
  }());
  EXPECT_EQ(error_of("keep-all=maybe").rfind("keep-all: \"maybe\" is not a boolean", 0), 0u);
}

TEST(ParsePruneString, OptionOrderDoesNotMatter) {
  EXPECT_EQ(*parse_prune_string("keep-weekly=4,keep-daily=7"),
            *parse_prune_string("keep-daily=7,keep-weekly=4"));
}

TEST(PolicyFromPairs, ValidatesLikeTheOptionString) {
  auto ok = policy_from_pairs({{"keep-daily", "7"}, {"keep-weekly", "4"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, *parse_prune_string("keep-daily=7,keep-weekly=4"));
  EXPECT_EQ(*policy_from_pairs({}), keep_all());
  EXPECT_EQ(policy_from_pairs({{"keep-daily", "-1"}}).error().message,
            "keep-daily: \"-1\" is not an integer >= 0");
  EXPECT_EQ(policy_from_pairs({{"keep-dayly", "1"}}).error().message.rfind("unknown key", 0), 0u);
  EXPECT_EQ(policy_from_pairs({{"keep-daily", ""}}).error().message, "keep-daily: missing value");
  EXPECT_EQ(policy_from_pairs({{"keep-all", "true"}, {"keep-daily", "1"}}).error().message,
            "keep-all cannot be set together with other options");
}

TEST(ToPruneString, WritesSetKeysInRuleOrder) {
  EXPECT_EQ(to_prune_string(RetentionPolicy{}), "keep-daily=7,keep-weekly=4,keep-monthly=12");
  EXPECT_EQ(to_prune_string(keep_all()), "keep-all=1");
  EXPECT_EQ(to_prune_string(*parse_prune_string("keep-yearly=1,keep-last=3,keep-hourly=0")),
            "keep-last=3,keep-hourly=0,keep-yearly=1");
}

TEST(ToPruneString, RoundTripsThroughTheParser) {
  for (const char* text :
       {"keep-last=3", "keep-all=1", "keep-daily=7,keep-weekly=4,keep-monthly=12",
        "keep-hourly=24,keep-yearly=0"}) {
    auto p = parse_prune_string(text);
    ASSERT_TRUE(p);
    EXPECT_EQ(to_prune_string(*p), text);
    EXPECT_EQ(*parse_prune_string(to_prune_string(*p)), *p);
  }
}

}  // namespace
}  // namespace policies
