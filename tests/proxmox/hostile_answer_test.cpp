// Answers an attacker (or a broken proxy) could send: each decodes to data or Error{parse},
// never an exception, a crash or undefined behaviour (the ASan+UBSan job runs these too).
#include <gtest/gtest.h>

#include "proxmox/response_parser.hpp"

namespace proxmox {
namespace {

std::string nested(std::size_t depth) {
  return "{\"data\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

TEST(HostileAnswer, JsonNested100kDeepIsAParseError) {
  for (auto* parse_it : {+[](const std::string& b) { return parse::backup_list(b).has_value(); },
                         +[](const std::string& b) { return parse::version(b).has_value(); },
                         +[](const std::string& b) { return parse::task_log(b).has_value(); }}) {
    EXPECT_FALSE(parse_it(nested(100000)));
  }
  const auto list = parse::backup_list(nested(100000));
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().kind, Error::Kind::parse);
  EXPECT_NE(list.error().message.find("nests deeper"), std::string::npos);
  // Also as an error body and inside a field the parser would dump.
  Request req{Method::get, {"version"}, {}, true};
  const Error e = parse::error_from_response(req, Response{500, "boom", nested(100000)});
  EXPECT_EQ(e.http_status, 500);
  EXPECT_FALSE(parse::backup_list("{\"data\":[{\"volid\":" + std::string(70, '[') +
                                  std::string(70, ']') + "}]}"));
}

TEST(HostileAnswer, ModerateNestingStillDecodes) {
  const std::string body = R"({"data":[{"volid":"local:backup/x.tar","notes":)" +
                           std::string(20, '[') + std::string(20, ']') + "}]}";
  const auto list = parse::backup_list(body);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ((*list)[0].notes.size(), 40u);  // dumped as text
}

TEST(HostileAnswer, InvalidUtf8InStringsBecomesReplacementCharacters) {
  const std::string body =
      "{\"data\":[{\"volid\":\"local:backup/vzdump-lxc-106-2025_01_31-02_"
      "00_03.tar.zst\",\"notes\":\"ok \xFF\xC3 bad\",\"subtype\":\"lxc\","
      "\"vmid\":106}]}";
  const auto list = parse::backup_list(body);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ((*list)[0].notes, "ok \xEF\xBF\xBD\xEF\xBF\xBD bad");
  Request req{Method::get, {"version"}, {}, true};
  const Error e = parse::error_from_response(req, Response{500, "bad \xFF reason", ""});
  EXPECT_NE(e.message.find("bad \xEF\xBF\xBD reason"), std::string::npos);
}

TEST(HostileAnswer, NumbersOutOfRangeAreParseErrors) {
  for (const char* n : {"1e300", "-1e300", "18446744073709551615", "9223372036854775808",
                        "\"99999999999999999999\"", "\"12abc\"", "{}", "[1]"}) {
    const std::string body =
        std::string(R"({"data":[{"volid":"local:backup/x.tar","ctime":)") + n + "}]}";
    const auto list = parse::backup_list(body);
    ASSERT_FALSE(list) << n;
    EXPECT_EQ(list.error().kind, Error::Kind::parse) << n;
  }
  EXPECT_FALSE(parse::backup_list(R"({"data":[{"size":-1}]})"));
  EXPECT_FALSE(parse::backup_list(R"({"data":[{"size":1e999}]})"));  // nlohmann's overflow
  // Sizes may use the full unsigned range.
  const auto big = parse::backup_list(R"({"data":[{"size":18446744073709551615}]})");
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ((*big)[0].size, 18446744073709551615ULL);
  // Numeric strings are PVE's habit for some integers.
  const auto str = parse::backup_list(R"({"data":[{"ctime":"1738288803","vmid":"106"}]})");
  ASSERT_TRUE(str) << str.error().message;
  EXPECT_EQ((*str)[0].ctime, 1738288803);
}

TEST(HostileAnswer, WrongShapesAreParseErrors) {
  for (const char* body : {"", "null", "[]", "{\"data\":{}}", "{\"data\":\"x\"}", "\xFF\xFE",
                           "{\"data\":[1,2]", "{\"data\":[]}garbage"}) {
    EXPECT_FALSE(parse::backup_list(body)) << body;
  }
  EXPECT_FALSE(parse::task_log(R"({"total":1})"));
  EXPECT_FALSE(parse::task_log(R"({"data":[{"n":"x","t":"a"}]})"));
}

TEST(HostileAnswer, TaskListRunningFormsAsUpstreamWritesThem) {
  // pve-manager PVE/API2/Tasks.pm node_tasks: active tasks unsplit with status RUNNING,
  // archived ones split into user + tokenid with status and endtime.
  const auto tasks = parse::task_list(
      R"({"data":[{"upid":"u1","type":"vzdump","id":"106","user":"smokerbak@pve!agent",)"
      R"("starttime":10,"status":"RUNNING"},)"
      R"({"upid":"u2","type":"vzdump","id":"106","user":"smokerbak@pve","tokenid":"agent",)"
      R"("starttime":5,"endtime":9,"status":"OK"}]})");
  ASSERT_TRUE(tasks) << tasks.error().message;
  EXPECT_TRUE((*tasks)[0].running);
  EXPECT_EQ((*tasks)[0].user, "smokerbak@pve!agent");
  EXPECT_FALSE((*tasks)[1].running);
  EXPECT_EQ((*tasks)[1].user, "smokerbak@pve!agent");
}

TEST(HostileAnswer, PbsListingCarriesVerificationAndEncryption) {
  const auto list = parse::backup_list(
      R"({"data":[{"volid":"pbs:backup/ct/106/2026-01-01T01:00:00Z","format":"pbs-ct","size":5,)"
      R"("ctime":1767229200,"subtype":"lxc","vmid":106,"content":"backup","notes":"prod",)"
      R"("verification":{"state":"ok","upid":"UPID:pbs:1:2:3:verify:x:root@pam:"},"encrypted":"1"},)"
      R"({"volid":"pbs:backup/ct/106/2026-01-02T01:00:00Z","format":"pbs-ct","subtype":"lxc","vmid":106}]})");
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_TRUE((*list)[0].verification);
  EXPECT_EQ((*list)[0].verification->state, "ok");
  EXPECT_EQ((*list)[0].encrypted, "1");
  EXPECT_EQ((*list)[0].name.form, BackupNameForm::pbs_snapshot);
  EXPECT_FALSE((*list)[1].verification);
}

}  // namespace
}  // namespace proxmox
