#include <gtest/gtest.h>

#include "proxmox/response_parser.hpp"

namespace proxmox {
namespace {

TEST(ResponseParser, DecodesBackupListingWithOptionalNotesAndProtected) {
  const std::string body = R"({"data":[
    {"volid":"local:backup/vzdump-lxc-106-2025_01_31-02_00_03.tar.zst","content":"backup",
     "format":"tar.zst","size":1234,"ctime":1738288803,"subtype":"lxc","vmid":106,
     "notes":"prod smokerbak:20250131T020000Z","protected":1},
    {"volid":"local:backup/vzdump-lxc-106-2025_02_01-02_00_03.tar.zst","content":"backup",
     "format":"tar.zst","size":99,"ctime":1738375203,"subtype":"lxc","vmid":106}]})";
  auto list = parse::backup_list(body);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].notes, "prod smokerbak:20250131T020000Z");
  EXPECT_TRUE((*list)[0].is_protected);
  EXPECT_EQ((*list)[0].ctime, 1738288803);
  EXPECT_EQ((*list)[1].notes, "");
  EXPECT_FALSE((*list)[1].is_protected);
  EXPECT_EQ((*list)[1].format, "tar.zst");
}

TEST(ResponseParser, MalformedJsonIsAParseErrorNotAnException) {
  auto list = parse::backup_list("{\"data\":[");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().kind, Error::Kind::parse);
  auto missing = parse::version(R"({"nodata":1})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, Error::Kind::parse);
}

TEST(ResponseParser, UpidFieldsAreDecodedFromUppercaseHex) {
  auto u = parse::upid("UPID:pve1:003A1F2C:0B2D4E61:67A1B2C3:vzdump:106:smokerbak@pve!agent:");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->node, "pve1");
  EXPECT_EQ(u->pid, 0x003A1F2C);
  EXPECT_EQ(u->starttime, 0x67A1B2C3);
  EXPECT_EQ(u->type, "vzdump");
  EXPECT_EQ(u->id, "106");
  EXPECT_EQ(u->user, "smokerbak@pve!agent");
}

TEST(ResponseParser, UpidWithoutTrailingColonOrWrongPrefixIsRejected) {
  EXPECT_FALSE(parse::upid("UPID:pve1:003A1F2C:0B2D4E61:67A1B2C3:vzdump:106:root@pam"));
  EXPECT_FALSE(parse::upid("OK"));
  EXPECT_FALSE(parse::upid("UPID:pve1:XYZ:0B2D4E61:67A1B2C3:vzdump:106:root@pam:"));
}

TEST(ResponseParser, ParameterErrorsAndMessageAppearInTheError) {
  Request req{Method::post, {"nodes", "pve1", "vzdump"}, {}, false};
  Response resp{
      400, "Parameter verification failed.",
      R"({"data":null,"errors":{"storage":"missing property required by 'notes-template'"},)"
      R"("message":"Parameter verification failed.\n"})"};
  Error e = parse::error_from_response(req, resp);
  EXPECT_EQ(e.kind, Error::Kind::http_status);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_NE(e.message.find("POST /nodes/pve1/vzdump"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("storage: missing property required by 'notes-template'"),
            std::string::npos)
      << e.message;
}

TEST(ResponseParser, ForbiddenNamesThePrivilegeAndTheMinimalRole) {
  Request req{Method::post, {"nodes", "pve1", "vzdump"}, {}, false};
  Response resp{403, "Permission check failed (/storage/local, Datastore.AllocateSpace)",
                R"({"data":null})"};
  Error e = parse::error_from_response(req, resp);
  EXPECT_EQ(e.kind, Error::Kind::permission);
  EXPECT_NE(e.message.find("(/storage/local, Datastore.AllocateSpace)"), std::string::npos);
  EXPECT_NE(e.message.find("VM.Backup"), std::string::npos);
  EXPECT_NE(e.message.find("PVEDatastoreUser"), std::string::npos);
}

TEST(ResponseParser, UnauthorizedWithoutBodySaysToCheckTheToken) {
  Request req{Method::get, {"version"}, {}, true};
  Error e = parse::error_from_response(req, Response{401, "Authentication failed!", ""});
  EXPECT_EQ(e.kind, Error::Kind::auth);
  EXPECT_NE(e.message.find("Authentication failed!"), std::string::npos);
  EXPECT_NE(e.message.find("token_id"), std::string::npos);
}

TEST(ResponseParser, BackupJobsAcceptStringVmidListsAndNumericBooleans) {
  auto jobs = parse::backup_jobs(
      R"({"data":[{"id":"backup-1","enabled":1,"vmid":"105,106","storage":"local",)"
      R"("schedule":"21:00","prune-backups":"keep-last=3"},)"
      R"({"id":"backup-2","enabled":0,"all":1,"exclude":"106","storage":"local"}]})");
  ASSERT_TRUE(jobs) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_TRUE((*jobs)[0].covers(106));
  EXPECT_FALSE((*jobs)[0].covers(10));
  EXPECT_EQ((*jobs)[0].prune_backups, "keep-last=3");
  EXPECT_FALSE((*jobs)[1].enabled);
  EXPECT_FALSE((*jobs)[1].covers(106));
  EXPECT_TRUE((*jobs)[1].covers(107));
}

TEST(ResponseParser, PruneMarksAreParsedToTheirKindAndAnUnknownWordIsAParseError) {
  auto marks = parse::prune_marks(
      R"({"data":[{"volid":"local:backup/a.tar.zst","ctime":3,"mark":"remove","type":"lxc"},)"
      R"({"volid":"local:backup/b.tar.zst","ctime":2,"mark":"keep"},)"
      R"({"volid":"local:backup/c.tar.zst","ctime":1,"mark":"protected"},)"
      R"({"volid":"local:backup/d.tar","ctime":0,"mark":"renamed"}]})");
  ASSERT_TRUE(marks) << marks.error().message;
  ASSERT_EQ(marks->size(), 4u);
  EXPECT_EQ((*marks)[0].mark, PruneMark::Mark::remove);
  EXPECT_EQ((*marks)[1].mark, PruneMark::Mark::keep);
  EXPECT_EQ((*marks)[2].mark, PruneMark::Mark::protected_backup);
  EXPECT_EQ((*marks)[3].mark, PruneMark::Mark::renamed);
  auto odd =
      parse::prune_marks(R"({"data":[{"volid":"local:backup/a","ctime":1,"mark":"Remove"}]})");
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().kind, Error::Kind::parse);
}

TEST(Version, ReleaseComparisonGatesNotesTemplate) {
  EXPECT_TRUE((Version{"9.2.11", "9.2", ""}).at_least(7, 2));
  EXPECT_TRUE((Version{"7.2-3", "7.2", ""}).at_least(7, 2));
  EXPECT_FALSE((Version{"7.1-10", "7.1", ""}).at_least(7, 2));
  EXPECT_FALSE((Version{"6.4-1", "", ""}).at_least(7, 2));
}

TEST(Fingerprint, NormalisesCaseAndSeparatorsAndRejectsWrongLength) {
  const std::string lower =
      "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:"
      "45:67:89";
  auto n = normalize_fingerprint(lower);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n,
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:"
            "23:45:67:89");
  EXPECT_FALSE(normalize_fingerprint("AB:CD"));
  EXPECT_FALSE(normalize_fingerprint(lower + ":00"));
  EXPECT_FALSE(normalize_fingerprint(std::string(64, 'g')));
}

TEST(Permissions, PrivilegesOnThePathAreReadAndOddNamesDropped) {
  auto p = parse::permissions(
      R"({"data":{"/pool/drill":{"VM.Audit":1,"VM.Allocate":0,"bad name; rm":1,"":1},"/":{"Sys.Modify":1}}})",
      "/pool/drill");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(*p, (std::vector<std::string>{"VM.Allocate", "VM.Audit"}));
  auto none = parse::permissions(R"({"data":{}})", "/pool/drill");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(parse::permissions(R"({"data":"nope"})", "/"));
  EXPECT_FALSE(parse::permissions("not json", "/"));
}

}  // namespace
}  // namespace proxmox
