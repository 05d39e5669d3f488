// Real faults between the client and radosgw, injected by a TCP proxy on 127.0.0.1 (not a
// mock of the client): cut connections, 503 SlowDown and 500 answers, a skewed signing clock,
// hostile answers.
#include "s3/multipart_uploader.hpp"
#include "tests/s3/s3_test_util.hpp"
#include "tests/s3_fixture/fault_proxy.hpp"

namespace s3 {
namespace {

using namespace std::chrono_literals;
using testing::FaultProxy;
using testing::PatternSource;
using testing::StringSink;

constexpr std::uint64_t k_mib = 1 << 20;

std::uint16_t port_of(const std::string& endpoint) {
  return static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

const std::string k_slow_down =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please "
    "reduce your request rate.</Message><RequestId>proxy</RequestId></Error>";

class S3Faults : public testing::S3ServerTest {
 protected:
  // A client for `bucket` whose every connection goes through `proxy` (HTTPS end to end).
  std::unique_ptr<Client> through(FaultProxy& proxy, const std::string& bucket, bool tls = true) {
    auto o = tls ? testing::https_options(server, bucket)
                 : testing::http_options(server, bucket, proxy.http_endpoint());
    if (tls) o.endpoint = proxy.https_endpoint();
    return client(o);
  }
};

TEST_F(S3Faults, ConnectionCutMidPartIsRetriedOnANewConnection) {
  auto direct = new_bucket(false);
  FaultProxy proxy(port_of(server.https_endpoint));
  auto c = through(proxy, direct->options().bucket);
  auto id = c->create_multipart_upload("cut", {});  // connection 1, not cut
  ASSERT_TRUE(id) << id.error().message;
  proxy.cut_after(3 * k_mib);  // the next connection dies 3 MiB into its request
  // Connection 1 is reused for the part... so end it: a non-idempotent call takes a fresh one
  // and the pool keeps that one; the part then goes on a connection opened for it.
  auto fresh = c->clone(0);
  ASSERT_TRUE(fresh);
  PatternSource data(8 * k_mib, 1);
  const std::string bytes = data.all();
  auto part = (*fresh)->upload_part("cut", *id, 1, bytes);
  ASSERT_TRUE(part) << part.error().message;
  EXPECT_EQ(proxy.cuts(), 1);
  EXPECT_GE((*fresh)->stats().retries, 1u);
  auto done = c->complete_multipart_upload("cut", *id, {{1, part->etag, part->checksum_sha256}});
  ASSERT_TRUE(done) << done.error().message;
  auto head = direct->head_object("cut");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->size, 8 * k_mib);
}

TEST_F(S3Faults, UploadCutWithoutRetriesLeavesAnUploadThatResumesWithoutResending) {
  auto direct = new_bucket(false);
  FaultProxy proxy(port_of(server.https_endpoint));
  auto o = testing::https_options(server, direct->options().bucket);
  o.endpoint = proxy.https_endpoint();
  o.retry.attempts = 1;
  auto c = client(o);
  // Connection 1 (the control client) creates the upload, the worker's connection uploads
  // part 1 and dies in part 2.
  proxy.cut_after(UINT64_MAX / 2);  // connection 1: untouched
  proxy.cut_after(8 * k_mib + 4 * k_mib);
  PatternSource source(16 * k_mib + 1000, 5);
  UploaderOptions up;
  up.parts_in_flight = 1;
  up.abort_on_failure = false;
  up.whole_sha256 = true;
  auto failed = upload_object(*c, "resume/k", source, {}, up);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().error.kind, Error::Kind::transport) << failed.error().error.message;
  ASSERT_FALSE(failed.error().upload_id.empty());
  EXPECT_EQ(proxy.cuts(), 1);

  source.rewind();
  up.resume_upload_id = failed.error().upload_id;
  auto resumed = upload_object(*direct, "resume/k", source, {}, up);
  ASSERT_TRUE(resumed) << resumed.error().error.message;
  EXPECT_EQ(resumed->parts, 3);
  EXPECT_EQ(resumed->parts_reused, 1);
  StringSink back;
  ASSERT_TRUE(direct->get_object("resume/k", back));
  EXPECT_EQ(to_hex(sha256(back.text)), resumed->sha256_hex);
}

TEST_F(S3Faults, FailedUploadIsAbortedSoNoPartsAreLeft) {
  auto direct = new_bucket(false);
  FaultProxy proxy(port_of(server.https_endpoint));
  auto o = testing::https_options(server, direct->options().bucket);
  o.endpoint = proxy.https_endpoint();
  o.retry.attempts = 1;
  auto c = client(o);
  proxy.cut_after(UINT64_MAX / 2);
  proxy.cut_after(2 * k_mib);
  PatternSource source(9 * k_mib, 6);
  UploaderOptions up;
  up.parts_in_flight = 1;
  auto failed = upload_object(*c, "aborted/k", source, {}, up);
  ASSERT_FALSE(failed);
  EXPECT_TRUE(failed.error().upload_id.empty());
  auto left = direct->list_multipart_uploads("aborted/");
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->uploads.empty());
}

TEST_F(S3Faults, SlowDownAndInternalErrorsAreRetried) {
  auto direct = new_bucket(false);
  FaultProxy proxy(port_of(server.http_endpoint));
  proxy.answer(503, "Slow Down", k_slow_down, 2);
  proxy.answer(500, "Internal Server Error",
               "<Error><Code>InternalError</Code><Message>We encountered an internal error"
               "</Message></Error>",
               1);
  auto c = through(proxy, direct->options().bucket, false);
  auto stored = c->put_object("retried", std::string_view("payload"), {});
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(proxy.answered(), 3);
  EXPECT_EQ(c->stats().retries, 3u);
  auto head = direct->head_object("retried");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->size, 7u);
}

TEST_F(S3Faults, SlowDownPastTheAttemptsIsTyped) {
  auto direct = new_bucket(false);
  FaultProxy proxy(port_of(server.http_endpoint));
  proxy.answer(503, "Slow Down", k_slow_down, 10);
  auto o = testing::http_options(server, direct->options().bucket, proxy.http_endpoint());
  o.retry.attempts = 3;
  auto c = client(o);
  auto r = c->head_object("any");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::slow_down) << r.error().message;
  EXPECT_EQ(proxy.answered(), 3);
  EXPECT_NE(r.error().message.find("after 3 attempts"), std::string::npos);
}

TEST_F(S3Faults, SkewedClockIsRequestTimeTooSkewed) {
  // libcurl signs a caller's X-Amz-Date instead of its own clock: a host an hour behind.
  auto direct = new_bucket(false);
  auto o = testing::https_options(server, direct->options().bucket);
  o.signing_clock = [] { return std::chrono::system_clock::now() - 1h; };
  auto skewed = client(o);
  auto r = skewed->list_objects_v2("");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::clock_skew) << r.error().message;
  EXPECT_EQ(r.error().code, "RequestTimeTooSkewed");
  EXPECT_NE(r.error().message.find("time synchronisation"), std::string::npos);
  o.signing_clock = [] { return std::chrono::system_clock::now() - 2min; };
  EXPECT_TRUE(client(o)->list_objects_v2("")) << "a small skew is within S3's 15 minutes";
}

TEST_F(S3Faults, OversizedAndHostileListingsAreBounded) {
  auto direct = new_bucket(false);
  FaultProxy proxy(port_of(server.http_endpoint));
  // 1: an answer larger than the XML cap; 2: more entries than asked for; 3: not XML.
  proxy.answer(200, "OK",
               "<ListBucketResult>" + std::string(9 * k_mib, ' ') + "</ListBucketResult>");
  std::string many = "<ListBucketResult><IsTruncated>false</IsTruncated>";
  for (int i = 0; i < 20; ++i)
    many += "<Contents><Key>k" + std::to_string(i) + "</Key><Size>1</Size></Contents>";
  proxy.answer(200, "OK", many + "</ListBucketResult>");
  proxy.answer(200, "OK", "<html>captive portal</html>");
  auto o = testing::http_options(server, direct->options().bucket, proxy.http_endpoint());
  auto c = client(o);
  auto big = c->list_objects_v2("");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, Error::Kind::too_large) << big.error().message;
  auto c2 = client(o);
  auto too_many = c2->list_objects_v2("", "", 10);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().kind, Error::Kind::bad_answer) << too_many.error().message;
  auto c3 = client(o);
  auto junk = c3->list_objects_v2("");
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().kind, Error::Kind::bad_answer);
}

}  // namespace
}  // namespace s3
