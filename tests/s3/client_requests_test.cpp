// What the client puts on the wire and how it reads answers, against a scripted transport.
#include <gtest/gtest.h>

#include "s3/digest.hpp"
#include "tests/s3/fake_transport.hpp"

namespace s3 {
namespace {

using testing::answer;
using testing::error_xml;
using testing::Script;

TEST(S3Requests, QueryIsCanonicalSortedWithEqualsOnEveryKey) {
  Script script;
  script.answers.push_back(answer(200));
  auto client = testing::fake_client(script);
  ASSERT_TRUE(client);
  Retention r{LockMode::compliance, Time{std::chrono::seconds(1'800'000'000)}};
  ASSERT_TRUE(client->put_object_retention("a/b c.age", "v+1", r));
  ASSERT_EQ(script.requests.size(), 1u);
  EXPECT_EQ(script.requests[0].url,
            "https://s3.example.test/backups/a/b%20c.age?retention=&versionId=v%2B1");
  EXPECT_NE(script.requests[0].body.find("<Mode>COMPLIANCE</Mode>"), std::string::npos);
  EXPECT_NE(script.requests[0].body.find("<RetainUntilDate>2027-01-15T08:00:00.000Z"),
            std::string::npos)
      << script.requests[0].body;
  ASSERT_TRUE(script.requests[0].header("Content-MD5"));
  EXPECT_EQ(*script.requests[0].header("Content-MD5"), to_base64(md5(script.requests[0].body)));
  EXPECT_EQ(*script.requests[0].header("x-amz-content-sha256"),
            to_hex(sha256(script.requests[0].body)));
}

TEST(S3Requests, VirtualHostAddressingPutsTheBucketInTheHostName) {
  Script script;
  script.answers.push_back(answer(200, "", {{"ETag", "\"x\""}}));
  auto o = testing::fake_options();
  o.addressing = AddressingStyle::virtual_host;
  auto client = testing::fake_client(script, o);
  ASSERT_TRUE(client->head_object("k"));
  EXPECT_EQ(script.requests[0].url, "https://backups.s3.example.test/k");
  EXPECT_EQ(*script.requests[0].header("x-amz-content-sha256"), k_empty_sha256_hex);
}

TEST(S3Requests, PutObjectSendsDigestsMetadataClassAndLock) {
  Script script;
  script.answers.push_back(answer(
      200, "", {{"ETag", "\"5d41402abc4b2a76b9719d911017c592\""}, {"x-amz-version-id", "v1"}}));
  auto client = testing::fake_client(script);
  PutOptions put;
  put.metadata = {{"plaintext-sha256", "abc"}, {"owner", "smokerbak-host1"}};
  put.storage_class = "STANDARD_IA";
  put.retention = Retention{LockMode::governance, Time{std::chrono::seconds(1'800'000'000)}};
  auto result = client->put_object("k", std::string_view("hello"), put);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->version_id, "v1");
  const auto& r = script.requests[0];
  EXPECT_EQ(r.method, http::Method::put);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(*r.header("Content-MD5"), "XUFAKrxLKna5cZ2REBfFkg==");
  EXPECT_EQ(*r.header("x-amz-checksum-sha256"), "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
  EXPECT_EQ(*r.header("x-amz-content-sha256"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(*r.header("x-amz-meta-plaintext-sha256"), "abc");
  EXPECT_EQ(*r.header("x-amz-storage-class"), "STANDARD_IA");
  EXPECT_EQ(*r.header("x-amz-object-lock-mode"), "GOVERNANCE");
  EXPECT_EQ(*r.header("x-amz-object-lock-retain-until-date"), "2027-01-15T08:00:00.000Z");
}

TEST(S3Requests, PayloadIsSignedWhenItsHashIsKnownOtherwiseUnsigned) {
  Script script;
  script.answers.push_back(answer(200, "", {{"ETag", "\"x\""}}));
  script.answers.push_back(answer(200, "", {{"ETag", "\"y\""}}));
  script.answers.push_back(answer(200, "", {{"ETag", "\"z\""}}));
  auto client = testing::fake_client(script);
  auto part = client->upload_part("k", "up", 3, "part", {false, true});
  ASSERT_TRUE(part) << part.error().message;
  EXPECT_EQ(*script.requests[0].header("x-amz-content-sha256"), to_hex(sha256("part")));
  EXPECT_EQ(*script.requests[0].header("x-amz-checksum-sha256"), to_base64(sha256("part")));
  EXPECT_FALSE(script.requests[0].header("Content-MD5"));
  EXPECT_EQ(script.requests[0].url, "https://s3.example.test/backups/k?partNumber=3&uploadId=up");
  auto md5_only = client->upload_part("k", "up", 4, "part", {true, false});
  ASSERT_TRUE(md5_only);
  EXPECT_EQ(*script.requests[1].header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(*script.requests[1].header("Content-MD5"), to_base64(md5("part")));
  http::BytesSource body("streamed");
  ASSERT_TRUE(client->put_object("s", body, {}));
  EXPECT_EQ(*script.requests[2].header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
}

TEST(S3Requests, MetadataWithUnsafeNamesOrValuesIsRefusedBeforeSending) {
  Script script;
  auto client = testing::fake_client(script);
  PutOptions put;
  put.metadata = {{"Bad Name", "x"}};
  auto r = client->put_object("k", std::string_view("x"), put);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::invalid_argument);
  put.metadata = {{"ok", "line\r\nInjected: 1"}};
  EXPECT_FALSE(client->put_object("k", std::string_view("x"), put));
  EXPECT_TRUE(script.requests.empty());
}

TEST(S3Requests, HeadObjectReadsSizeVersionMetadataLockAndChecksum) {
  Script script;
  script.answers.push_back(
      answer(200, "",
             {{"Content-Length", "1234"},
              {"ETag", "\"abc-3\""},
              {"x-amz-version-id", "v9"},
              {"Last-Modified", "Thu, 03 Dec 2026 08:09:52 GMT"},
              {"x-amz-meta-Plaintext-SHA256", "feed"},
              {"x-amz-object-lock-mode", "COMPLIANCE"},
              {"x-amz-object-lock-retain-until-date", "2026-12-03T09:09:51.000000000Z"},
              {"x-amz-checksum-sha256", "c3VtCg=="}}));
  auto client = testing::fake_client(script);
  auto info = client->head_object("k", "v9");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->size, 1234u);
  EXPECT_EQ(info->etag, "\"abc-3\"");
  EXPECT_EQ(info->version_id, "v9");
  EXPECT_EQ(info->metadata.at("plaintext-sha256"), "feed");
  ASSERT_TRUE(info->retention);
  EXPECT_EQ(info->retention->mode, LockMode::compliance);
  EXPECT_EQ(info->retention->retain_until.time_since_epoch().count(), 1796288991);
  EXPECT_EQ(info->checksum_sha256, "c3VtCg==");
  ASSERT_TRUE(info->last_modified);
  EXPECT_EQ(script.requests[0].url, "https://s3.example.test/backups/k?versionId=v9");
}

TEST(S3Errors, CodesBecomeKindsWithAdvice) {
  struct Case {
    int status;
    std::string code;
    Error::Kind kind;
    std::string advice;
  };
  const std::vector<Case> cases = {
      {403, "AccessDenied", Error::Kind::access_denied, "policy"},
      {403, "SignatureDoesNotMatch", Error::Kind::invalid_credentials, "credentials file"},
      {400, "ExpiredToken", Error::Kind::invalid_credentials, "renewed"},
      {403, "RequestTimeTooSkewed", Error::Kind::clock_skew, "time synchronisation"},
      {404, "NoSuchBucket", Error::Kind::no_such_bucket, "Create bucket backups"},
      {404, "NoSuchKey", Error::Kind::no_such_key, ""},
      {400, "EntityTooSmall", Error::Kind::entity_too_small, "5 MiB"},
      {400, "BadDigest", Error::Kind::bad_digest, "checksum"},
      {400, "XAmzContentSHA256Mismatch", Error::Kind::bad_digest, "checksum"},
      {400, "InvalidArgument", Error::Kind::invalid_request, ""},
  };
  for (const auto& c : cases) {
    Script script;
    script.answers.push_back(answer(c.status, error_xml(c.code, "server words")));
    auto client = testing::fake_client(script);
    auto r = client->get_object_retention("k", "v");
    ASSERT_FALSE(r) << c.code;
    EXPECT_EQ(r.error().kind, c.kind) << c.code << ": " << r.error().message;
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_EQ(r.error().http_status, c.status);
    EXPECT_EQ(r.error().request_id, "tx-1");
    EXPECT_NE(r.error().message.find("server words"), std::string::npos);
    EXPECT_NE(r.error().message.find(c.advice), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("not-a-real-secret"), std::string::npos);
    EXPECT_EQ(script.requests.size(), 1u) << c.code << " must not be retried";
  }
}

TEST(S3Errors, LockHeadersOnABucketWithoutLockAreObjectLockNotEnabled) {
  Script script;
  script.answers.push_back(answer(400, error_xml("InvalidRequest")));
  auto client = testing::fake_client(script);
  PutOptions put;
  put.retention = Retention{LockMode::compliance, Time{std::chrono::seconds(1'800'000'000)}};
  auto r = client->put_object("k", std::string_view("x"), put);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::object_lock_not_enabled);
  EXPECT_NE(r.error().message.find("create a bucket with Object Lock"), std::string::npos);
}

TEST(S3Retries, SlowDownAndServerErrorsAreRetriedWithGrowingJitteredDelays) {
  Script script;
  script.answers.push_back(answer(503, error_xml("SlowDown")));
  script.answers.push_back(answer(500, error_xml("InternalError")));
  script.answers.push_back(http::make_error(http::Error::Kind::transport, "reset"));
  script.answers.push_back(answer(200, "", {{"ETag", "\"x\""}}));
  std::vector<std::chrono::milliseconds> delays;
  auto o = testing::fake_options();
  o.retry.first_delay = std::chrono::milliseconds(100);
  o.retry.max_delay = std::chrono::milliseconds(250);
  o.sleep = [&](std::chrono::milliseconds d) { delays.push_back(d); };
  auto client = testing::fake_client(script, o);
  auto info = client->head_object("k");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(script.requests.size(), 4u);
  EXPECT_EQ(client->stats().retries, 3u);
  ASSERT_EQ(delays.size(), 3u);
  EXPECT_LE(delays[0].count(), 100);
  EXPECT_LE(delays[1].count(), 200);
  EXPECT_LE(delays[2].count(), 250);  // capped
}

TEST(S3Retries, AttemptsAreBoundedAndSaidInTheMessage) {
  Script script;
  for (int i = 0; i < 10; ++i) script.answers.push_back(answer(503, error_xml("SlowDown")));
  auto o = testing::fake_options();
  o.retry.attempts = 3;
  auto client = testing::fake_client(script, o);
  auto r = client->list_objects_v2("p/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::slow_down);
  EXPECT_EQ(script.requests.size(), 3u);
  EXPECT_NE(r.error().message.find("after 3 attempts"), std::string::npos);
}

TEST(S3Retries, CreateBucketIsNotRepeated) {
  Script script;
  script.answers.push_back(answer(500, error_xml("InternalError")));
  auto client = testing::fake_client(script);
  EXPECT_FALSE(client->create_bucket(true));
  EXPECT_EQ(script.requests.size(), 1u);
}

std::vector<CompletedPart> two_parts() {
  return {{1, "\"" + to_hex(md5("a")) + "\"", ""}, {2, "\"" + to_hex(md5("b")) + "\"", ""}};
}

TEST(S3Complete, AnErrorInsideA200AnswerIsAnError) {
  Script script;
  script.answers.push_back(answer(200, error_xml("InvalidPart", "part 2 missing")));
  auto client = testing::fake_client(script);
  auto r = client->complete_multipart_upload("k", "up1", two_parts());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::invalid_part);
  EXPECT_FALSE(script.requests[0].idempotent);  // its own connection: never silently re-sent
}

TEST(S3Complete, LostAnswerThenNoSuchUploadIsSuccessWhenHeadShowsThePartsEtag) {
  Script script;
  const auto etag = multipart_etag({two_parts()[0].etag, two_parts()[1].etag});
  script.answers.push_back(http::make_error(http::Error::Kind::transport, "connection reset"));
  script.answers.push_back(answer(404, error_xml("NoSuchUpload")));
  script.answers.push_back(answer(200, "", {{"ETag", etag}, {"x-amz-version-id", "v7"}}));
  auto client = testing::fake_client(script);
  auto r = client->complete_multipart_upload("k", "up1", two_parts());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version_id, "v7");
  EXPECT_EQ(script.requests[2].method, http::Method::head);
}

TEST(S3Complete, LostAnswerThenNoSuchUploadWithAnotherObjectIsAnError) {
  Script script;
  script.answers.push_back(http::make_error(http::Error::Kind::transport, "connection reset"));
  script.answers.push_back(answer(404, error_xml("NoSuchUpload")));
  script.answers.push_back(answer(200, "", {{"ETag", "\"other-2\""}}));
  auto client = testing::fake_client(script);
  auto r = client->complete_multipart_upload("k", "up1", two_parts());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::no_such_upload);
}

TEST(S3Complete, FirstAttemptNoSuchUploadIsAnErrorWithoutGuessing) {
  Script script;
  script.answers.push_back(answer(404, error_xml("NoSuchUpload")));
  auto client = testing::fake_client(script);
  auto r = client->complete_multipart_upload("k", "up1", two_parts());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::no_such_upload);
  EXPECT_EQ(script.requests.size(), 1u);
}

TEST(S3Parts, AStoredMd5OtherThanTheSentOneIsBadDigest) {
  Script script;
  script.answers.push_back(answer(200, "", {{"ETag", "\"00000000000000000000000000000000\""}}));
  auto client = testing::fake_client(script);
  auto r = client->upload_part("k", "up", 1, "data");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::bad_digest);
}

TEST(S3Client, OptionsAreCheckedBeforeAnyRequest) {
  auto o = testing::fake_options();
  o.endpoint = "http://s3.example.test";
  EXPECT_FALSE(Client::create(o));
  o = testing::fake_options();
  o.bucket = "Bad_Bucket";
  EXPECT_FALSE(Client::create(o));
  o = testing::fake_options();
  o.region = "eu central";
  EXPECT_FALSE(Client::create(o));
  o = testing::fake_options();
  o.endpoint = "https://s3.example.test/path";
  EXPECT_FALSE(Client::create(o));
}

TEST(S3Client, MultipartEtagIsTheMd5OfPartMd5s) {
  // Two parts "a" and "b": md5(md5("a") || md5("b")) computed independently.
  const std::string expected = "\"" + to_hex(md5(md5("a") + md5("b"))) + "-2\"";
  EXPECT_EQ(multipart_etag({"\"" + to_hex(md5("a")) + "\"", to_hex(md5("b"))}), expected);
  EXPECT_EQ(multipart_etag({"\"not-md5\""}), "");
}

}  // namespace
}  // namespace s3
