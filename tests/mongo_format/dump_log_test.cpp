// mongodump stderr parsing and the count cross-check.
#include <gtest/gtest.h>

#include "agent/mongo_format/dump_log.hpp"

namespace mf = agent::mongo_format;

namespace {

mf::ArchiveVerdict verdict_with(std::vector<std::pair<std::string, std::uint64_t>> counts) {
  mf::ArchiveVerdict v;
  v.valid = true;
  for (auto& [coll, n] : counts) {
    mf::NamespaceStats s;
    s.db = "smoker";
    s.collection = coll;
    s.documents = n;
    v.namespaces.push_back(s);
  }
  return v;
}

}  // namespace

TEST(DumpLog, ReadsDoneLinesOfOldAndNewTools) {
  const auto log = mf::parse_dump_log(
      "2021-09-10T16:38:37.039+0000\twriting smoker.temps to archive on stdout\n"
      "2021-09-10T16:38:37.040+0000\t[####....................]  smoker.temps  101/4000  (2.5%)\n"
      "2021-09-10T16:38:38.001+0000\tdone dumping smoker.temps (4000 documents)\n"
      "2021-09-10T16:38:38.002+0000\tdone dumping smoker.users (1 document)\n"
      "2026-05-01T10:00:00.000+0200\tdone dumping `smoker.odd name` (0 documents)\n"
      "Enter password for mongo user:\n");
  EXPECT_EQ(log.done_counts.size(), 3u);
  EXPECT_EQ(log.done_counts.at("smoker.temps"), 4000u);
  EXPECT_EQ(log.done_counts.at("smoker.users"), 1u);
  EXPECT_EQ(log.done_counts.at("smoker.odd name"), 0u);
  EXPECT_FALSE(log.failed.has_value());
}

TEST(DumpLog, CapturesTheFailedLine) {
  const auto log = mf::parse_dump_log(
      "2021-09-10T16:38:37.039+0000\tFailed: can't create session: (AuthenticationFailed) "
      "Authentication failed.\n");
  ASSERT_TRUE(log.failed.has_value());
  EXPECT_EQ(*log.failed, "can't create session: (AuthenticationFailed) Authentication failed.");
}

TEST(DumpLog, IgnoresLinesThatOnlyLookSimilar) {
  const auto log = mf::parse_dump_log(
      "2021-09-10T16:38:37.039+0000\tdone dumping smoker.temps (many documents)\n"
      "2021-09-10T16:38:37.039+0000\t\tdumped 3 oplog entries\n");
  EXPECT_TRUE(log.done_counts.empty());
}

TEST(CheckCounts, AcceptsMatchingCounts) {
  auto v = verdict_with({{"temps", 4000}, {"users", 1}});
  mf::DumpLog log;
  log.done_counts = {{"smoker.temps", 4000}, {"smoker.users", 1}};
  mf::check_counts(v, log);
  EXPECT_TRUE(v.valid);
  EXPECT_TRUE(v.errors.empty());
}

TEST(CheckCounts, ReportsMismatchMissingAndExtraNamespaces) {
  auto v = verdict_with({{"temps", 3999}, {"users", 1}});
  mf::DumpLog log;
  log.done_counts = {{"smoker.temps", 4000}, {"smoker.ghost", 5}};
  mf::check_counts(v, log);
  EXPECT_FALSE(v.valid);
  ASSERT_EQ(v.errors.size(), 3u);
  EXPECT_NE(v.errors[0].find("smoker.temps: mongodump reported 4000, the archive holds 3999"),
            std::string::npos);
  EXPECT_NE(v.errors[1].find("smoker.users"), std::string::npos);
  EXPECT_NE(v.errors[2].find("smoker.ghost"), std::string::npos);
}

TEST(CheckCounts, AFailedLineInvalidatesEvenMatchingCounts) {
  auto v = verdict_with({});
  mf::DumpLog log;
  log.failed = "archive writer: broken pipe";
  mf::check_counts(v, log);
  EXPECT_FALSE(v.valid);
}
