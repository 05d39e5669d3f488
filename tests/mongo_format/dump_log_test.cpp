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

TEST(DumpLog, TellsAnAuthenticationFailureFromOtherFailures) {
  EXPECT_EQ(mf::failure_cause(
                mf::parse_dump_log("2021-09-10T16:38:37.039+0000\tFailed: can't create session: "
                                   "(AuthenticationFailed) Authentication failed.\n")),
            mf::FailureCause::authentication);
  EXPECT_EQ(mf::failure_cause(mf::parse_dump_log(
                "2021-09-10T16:38:37.039+0000\tFailed: error connecting to db server: "
                "server returned error on SASL authentication step: Authentication failed.\n")),
            mf::FailureCause::authentication);
  EXPECT_EQ(mf::failure_cause(mf::parse_dump_log(
                "2021-09-10T16:38:37.039+0000\tFailed: error connecting to db server: no "
                "reachable servers\n")),
            mf::FailureCause::other);
  EXPECT_EQ(mf::failure_cause(mf::parse_dump_log("2021-09-10T16:38:37.039+0000\tdone dumping "
                                                 "smoker.temps (1 document)\n")),
            mf::FailureCause::none);
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

TEST(DumpLog, ReadsTheOplogLineOfAWholeInstanceDump) {
  // mongodump/oplog_dump.go: Logvf(Always, "\tdumped %v oplog %v", n, "entry"/"entries").
  auto log = mf::parse_dump_log(
      "2026-01-01T00:00:00.000+0000\twriting captured oplog to archive on stdout\n"
      "2026-01-01T00:00:00.001+0000\t\tdumped 42 oplog entries\n");
  ASSERT_TRUE(log.oplog_entries.has_value());
  EXPECT_EQ(*log.oplog_entries, 42u);
  log = mf::parse_dump_log("2026-01-01T00:00:00.001+0000\t\tdumped 1 oplog entry\n");
  EXPECT_EQ(log.oplog_entries.value_or(0), 1u);
  EXPECT_FALSE(mf::parse_dump_log("2026-01-01T00:00:00.000+0000\tdumped 5 documents\n")
                   .oplog_entries.has_value());
}

TEST(CheckCounts, ChecksTheArchivesOplogAgainstTheOplogLine) {
  auto v = verdict_with({{"temps", 3}});
  mf::NamespaceStats oplog;
  oplog.collection = "oplog";  // db ""
  oplog.documents = 42;
  v.namespaces.push_back(oplog);
  mf::DumpLog log;
  log.done_counts = {{"smoker.temps", 3}};
  log.oplog_entries = 42;
  auto ok = v;
  mf::check_counts(ok, log);
  EXPECT_TRUE(ok.valid) << (ok.errors.empty() ? "" : ok.errors.front());

  log.oplog_entries = 41;
  auto bad = v;
  mf::check_counts(bad, log);
  EXPECT_FALSE(bad.valid);
  EXPECT_NE(bad.errors.front().find("oplog entry count mismatch"), std::string::npos);

  log.oplog_entries.reset();
  auto missing = v;
  mf::check_counts(missing, log);
  EXPECT_FALSE(missing.valid);
  EXPECT_NE(missing.errors.front().find("dumped N oplog entries"), std::string::npos);
}

TEST(DumpLog, ACountThatOverflowsIsAProblemNotACrash) {
  // Issue 11: std::stoull threw on this and the run died without a record.
  mf::DumpLog log;
  EXPECT_NO_THROW(log = mf::parse_dump_log(
                      "2026-01-01T00:00:00.000+0000\tdone dumping smoker.temps "
                      "(184467440737095516160 documents)\n"
                      "2026-01-01T00:00:00.000+0000\t\tdumped 99999999999999999999999 oplog "
                      "entries\n"));
  EXPECT_TRUE(log.done_counts.empty());
  ASSERT_EQ(log.problems.size(), 2u);
  EXPECT_NE(log.problems[0].find("not a 64-bit number"), std::string::npos);
  auto v = verdict_with({{"temps", 4000}});
  mf::check_counts(v, log);
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(mf::parse_dump_log(
                "2026-01-01T00:00:00.000+0000\tdone dumping a.b (18446744073709551615 documents)\n")
                .done_counts.at("a.b"),
            UINT64_MAX);
}

TEST(DumpLog, ANamespaceReportedTwiceWithDifferentCountsIsAProblem) {
  const auto log = mf::parse_dump_log(
      "2026-01-01T00:00:00.000+0000\tdone dumping smoker.temps (3 documents)\n"
      "2026-01-01T00:00:00.000+0000\tdone dumping smoker.temps (3 documents)\n"
      "2026-01-01T00:00:00.000+0000\tdone dumping smoker.users (1 document)\n"
      "2026-01-01T00:00:00.000+0000\tdone dumping smoker.users (2 documents)\n");
  EXPECT_EQ(log.done_counts.at("smoker.temps"), 3u);
  ASSERT_EQ(log.problems.size(), 1u);
  EXPECT_NE(log.problems[0].find("twice"), std::string::npos);
}

TEST(DumpLog, InvalidUtf8AndEscapesFromTheContainerAreStoredAndShownSafely) {
  const auto log = mf::parse_dump_log(
      "2026-01-01T00:00:00.000+0000\tdone dumping smoker.t\xFF (3 documents)\n"
      "2026-01-01T00:00:00.000+0000\tFailed: error writing \xC0\xAF\x1B[2J\r to disk\n");
  EXPECT_EQ(log.done_counts.count("smoker.t\\xFF"), 1u);
  const std::string failed = mf::failure_text(log);
  EXPECT_EQ(failed, "error writing \\xC0\\xAF\\x1B[2J\\r to disk");
  auto v = verdict_with({{"t\xFF", 3}});
  mf::check_counts(v, log);
  for (const auto& e : v.errors) {
    EXPECT_EQ(e.find('\x1B'), std::string::npos) << e;
    EXPECT_EQ(e.find('\xFF'), std::string::npos) << e;
  }
}

TEST(DumpLog, TheLineParserAndTheTextParserAgree) {
  const std::string text =
      "2026-01-01T00:00:00.000+0000\tdone dumping smoker.temps (3 documents)\r\n"
      "2026-01-01T00:00:00.000+0000\t\tdumped 2 oplog entries\n"
      "2026-01-01T00:00:00.000+0000\tFailed: boom";
  mf::DumpLogParser p;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto nl = std::min(text.find('\n', pos), text.size());
    p.add_line(std::string_view(text).substr(pos, nl - pos));
    pos = nl + 1;
  }
  const auto whole = mf::parse_dump_log(text);
  EXPECT_EQ(p.log().done_counts, whole.done_counts);
  EXPECT_EQ(p.log().oplog_entries, whole.oplog_entries);
  EXPECT_EQ(p.log().failed, whole.failed);
  EXPECT_EQ(whole.failed.value_or(""), "boom");
}

TEST(DumpLog, KeepsABoundedNumberOfNamespacesAndProblems) {
  mf::DumpLogParser p;
  for (std::size_t i = 0; i < mf::DumpLogParser::k_max_namespaces + 10; ++i) {
    p.add_line("2026-01-01T00:00:00.000+0000\tdone dumping db.c" + std::to_string(i) +
               " (1 document)");
  }
  for (int i = 0; i < 1000; ++i)
    p.add_line(
        "2026-01-01T00:00:00.000+0000\tdone dumping db.x (99999999999999999999999 documents)");
  EXPECT_EQ(p.log().done_counts.size(), mf::DumpLogParser::k_max_namespaces);
  EXPECT_LE(p.log().problems.size(), mf::DumpLogParser::k_max_problems + 1);
}
