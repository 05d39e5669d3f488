// `retention simulate` run in-process on string streams.
#include "agent/retention/simulate_command.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace agent {
namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result simulate(SimulateOptions options, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  StreamOutput output(out, err);
  const int code = run_retention_simulate(options, in, output);
  return {code, out.str(), err.str()};
}

SimulateOptions from_stdin(const std::string& policy, bool json = true) {
  SimulateOptions o;
  o.policy = policy;
  o.timezone = "UTC";
  o.input = "-";
  o.json = json;
  return o;
}

TEST(RetentionSimulate, JsonOutputIsInInputOrderWithMarksAndReasons) {
  const auto r = simulate(from_stdin("keep-last=1"),
                          R"([{"id": "old", "ctime": 1700000000},
                              {"id": "new", "ctime": 1700086400},
                              {"id": "pinned", "ctime": 1600000000, "protected": true}])");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc[0]["id"], "old");
  EXPECT_EQ(doc[0]["mark"], "remove");
  EXPECT_EQ(doc[0]["reason"], "remove: beyond retention");
  EXPECT_EQ(doc[1]["id"], "new");
  EXPECT_EQ(doc[1]["ctime"], 1700086400);
  EXPECT_EQ(doc[1]["mark"], "keep");
  EXPECT_EQ(doc[1]["reason"], "keep: last 1/1");
  EXPECT_EQ(doc[1]["rules"], nlohmann::json::array({"last"}));
  EXPECT_EQ(doc[2]["mark"], "protected");
  EXPECT_TRUE(r.err.empty());
}

TEST(RetentionSimulate, AcceptsProxmoxStyleZeroOneProtectedFlags) {
  const auto r = simulate(from_stdin("keep-last=1"),
                          R"([{"id": "a", "ctime": 1, "protected": 1, "volid": "x"}])");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)[0]["mark"], "protected");
}

TEST(RetentionSimulate, BadInputExitsTwoNamingTheProblem) {
  struct Bad {
    std::string input;
    std::string message;
  };
  for (const Bad& b :
       {Bad{"not json", "input is not valid JSON"},
        Bad{R"({"id": "a"})", "input must be a JSON array"},
        Bad{R"([{"ctime": 1}])", "input[0]: missing \"id\""},
        Bad{R"([{"id": "a", "ctime": 1}, {"id": "b"}])", "input[1]: missing \"ctime\""},
        Bad{R"([{"id": "a", "ctime": "1"}])", "input[0]: \"ctime\" must be an integer"},
        Bad{R"([{"id": "a", "ctime": 1.5}])", "input[0]: \"ctime\" must be an integer"},
        Bad{R"([{"id": 7, "ctime": 1}])", "input[0]: \"id\" must be a string"},
        Bad{R"([{"id": "a", "ctime": 1, "protected": "yes"}])", "input[0]: \"protected\" must be"},
        Bad{R"([3])", "input[0]: expected an object"}}) {
    const auto r = simulate(from_stdin("keep-last=1"), b.input);
    EXPECT_EQ(r.code, 2) << b.input;
    EXPECT_NE(r.err.find(b.message), std::string::npos) << b.input << " gave: " << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(RetentionSimulate, BadPolicyExitsTwoNamingTheKey) {
  const auto r = simulate(from_stdin("keep-monthyl=5"), "[]");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown key \"keep-monthyl\""), std::string::npos) << r.err;
}

TEST(RetentionSimulate, UnknownZoneExitsTwo) {
  auto o = from_stdin("keep-last=1");
  o.timezone = "Mars/Olympus";
  const auto r = simulate(o, "[]");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown time zone \"Mars/Olympus\""), std::string::npos) << r.err;
}

TEST(RetentionSimulate, MissingInputFileExitsTwoNamingIt) {
  auto o = from_stdin("keep-last=1");
  o.input = "/nonexistent/backups.json";
  const auto r = simulate(o);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cannot read /nonexistent/backups.json"), std::string::npos) << r.err;
}

TEST(RetentionSimulate, NeitherInputNorGenerateIsAUsageError) {
  auto o = from_stdin("keep-last=1");
  o.input.clear();
  const auto r = simulate(o);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--generate"), std::string::npos);
}

TEST(RetentionSimulate, AYearOfNightlyBackupsUnderTheDefaultPolicyKeepsTwentyThree) {
  SimulateOptions o;
  o.policy = "keep-daily=7,keep-weekly=4,keep-monthly=12";
  o.timezone = "Europe/Berlin";
  o.generate = "2025-01-01T01:00,2025-12-31T01:00,1d";
  o.json = true;
  const auto r = simulate(o);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 365u);
  int kept = 0;
  for (const auto& d : doc) kept += d["mark"] == "keep" ? 1 : 0;
  // Dec 25-31 (daily), 4 more weeks back to Nov 30 (weekly), then January to October
  // (monthly: December and November are covered).
  EXPECT_EQ(kept, 7 + 4 + 10);
  // Nightly at 01:00 local across both DST switches.
  EXPECT_EQ(doc[0]["id"], "2025-01-01T01:00:00");
  EXPECT_EQ(doc[0]["ctime"], 1735689600);  // 2025-01-01T00:00:00Z
  EXPECT_EQ(doc[200]["id"], "2025-07-20T01:00:00");
}

TEST(RetentionSimulate, TableIsNewestFirstAndCalendarShowsWhatStays) {
  SimulateOptions o;
  o.policy = "keep-daily=3";
  o.timezone = "UTC";
  o.generate = "2025-03-01T01:00,2025-03-05T01:00,1d";
  const auto r = simulate(o);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto first = r.out.find("2025-03-05 01:00:00");
  const auto last = r.out.find("2025-03-01 01:00:00");
  ASSERT_NE(first, std::string::npos) << r.out;
  ASSERT_NE(last, std::string::npos);
  EXPECT_LT(first, last);
  EXPECT_NE(r.out.find("keep: daily 1/3"), std::string::npos);
  EXPECT_NE(r.out.find("2025-03  --KKK..........................  kept 3 of 5"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("5 backups: 3 keep, 2 remove, 0 protected"), std::string::npos);
}

TEST(RetentionSimulate, GenerateRejectsMalformedSpecs) {
  for (const char* spec :
       {"2025-01-01", "2025-01-01,2025-02-01", "2025-13-01,2025-12-31,1d",
        "2025-01-01,2025-12-31,0d", "2025-01-01,2025-12-31,1y", "2025-12-31,2025-01-01,1d",
        "2025-01-01,2125-01-01,1s", "2025-01-01T25:00,2025-01-02,1h", "2025/01/01,2025-01-02,1h"}) {
    SimulateOptions o;
    o.policy = "keep-last=1";
    o.timezone = "UTC";
    o.generate = spec;
    const auto r = simulate(o);
    EXPECT_EQ(r.code, 2) << spec;
    EXPECT_NE(r.err.find("--generate"), std::string::npos) << spec << ": " << r.err;
  }
}

TEST(RetentionSimulate, HourlyGenerationStepsElapsedTimeAcrossFallBack) {
  SimulateOptions o;
  o.policy = "keep-hourly=100";
  o.timezone = "Europe/Berlin";
  o.generate = "2024-10-27T01:00,2024-10-27T04:00,1h";
  o.json = true;
  const auto r = simulate(o);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc.size(), 5u);                       // 01, 02 CEST, 02 CET, 03, 04
  EXPECT_EQ(doc[1]["id"], "2024-10-27T02:00:00");  // CEST, the older of the two
  EXPECT_EQ(doc[1]["reason"], "remove: older duplicate in 2024-10-27 02:00 (hourly)");
  EXPECT_EQ(doc[2]["reason"], "keep: hourly 3/100");
}

}  // namespace
}  // namespace agent
