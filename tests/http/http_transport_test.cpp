// The transport against a real HTTPS server (radosgw from the s3_server fixture, with a
// throwaway CA) and the fault proxy: trust, pinning, caps, streaming, stalls, SigV4, limits.
#include <gtest/gtest.h>

#include <chrono>

#include "http/transport.hpp"
#include "tests/s3_fixture/fault_proxy.hpp"
#include "tests/s3_fixture/s3_test_server.hpp"

namespace http {
namespace {

using s3::testing::FaultProxy;

std::uint16_t port_of(const std::string& endpoint) {
  return static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

class StringSink final : public BodySink {
 public:
  tl::expected<void, std::string> write(const char* data, std::size_t size) override {
    if (fail) return tl::unexpected(std::string("disk full (test)"));
    text.append(data, size);
    return {};
  }
  std::string text;
  bool fail = false;
};

std::unique_ptr<Transport> make(TransportOptions o) {
  auto t = make_curl_transport(std::move(o));
  EXPECT_TRUE(t) << t.error().message;
  return t ? std::move(*t) : nullptr;
}

TEST(HttpTransport, CaFileWithHostNameCheckIsTrusted) {
  S3_REQUIRE_SERVER(server);
  TransportOptions o;
  o.ca_file = server.ca_file;
  auto t = make(o);
  Request r;
  r.url = server.https_endpoint + "/";
  auto a = t->send(r);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->status, 200);  // anonymous ListAllMyBuckets
  EXPECT_NE(a->body.find("ListAllMyBucketsResult"), std::string::npos);
  EXPECT_TRUE(find_header(a->headers, "x-amz-request-id"));
}

TEST(HttpTransport, CertificateFromAnotherCaIsRefused) {
  S3_REQUIRE_SERVER(server);
  auto t = make({});  // the system store does not know the throwaway CA
  Request r;
  r.url = server.https_endpoint + "/";
  auto a = t->send(r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, Error::Kind::tls) << a.error().message;
}

TEST(HttpTransport, HostNameOutsideTheCertificateIsRefused) {
  S3_REQUIRE_SERVER(server);
  // The fixture's leaf names IP 127.0.0.1 only; "localhost" reaches the same server.
  TransportOptions o;
  o.ca_file = server.ca_file;
  auto t = make(o);
  Request r;
  r.url = "https://localhost:" + std::to_string(port_of(server.https_endpoint)) + "/";
  auto a = t->send(r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, Error::Kind::tls) << a.error().message;
}

TEST(HttpTransport, PinnedFingerprintIsTrustedWithoutTheCa) {
  S3_REQUIRE_SERVER(server);
  TransportOptions o;
  o.fingerprint = server.fingerprint;
  auto t = make(o);
  Request r;
  r.url = server.https_endpoint + "/";
  auto a = t->send(r);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->status, 200);
}

TEST(HttpTransport, WrongPinFailsTheHandshakeNamingWhatWasPresented) {
  S3_REQUIRE_SERVER(server);
  FaultProxy proxy(port_of(server.https_endpoint));
  std::string wrong = *normalize_fingerprint(server.fingerprint);
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  TransportOptions o;
  o.fingerprint = wrong;
  auto t = make(o);
  Request r;
  r.url = proxy.https_endpoint() + "/secret-path";
  r.headers = {{"Authorization", "Bearer must-not-leave"}};
  auto a = t->send(r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, Error::Kind::pin_mismatch) << a.error().message;
  EXPECT_EQ(a.error().presented_fingerprint, *normalize_fingerprint(server.fingerprint));
  EXPECT_EQ(a.error().message.find("must-not-leave"), std::string::npos);
  // The client's bytes (TLS ClientHello, perhaps a Finished) never carry the request in clear,
  // and the handshake stops before any application data: the recording holds no HTTP.
  EXPECT_EQ(proxy.sent_by_clients().find("GET /secret-path"), std::string::npos);
}

TEST(HttpTransport, AnnouncedBodyOverTheCapStopsBeforeItIsRead) {
  S3_REQUIRE_SERVER(server);
  FaultProxy proxy(port_of(server.http_endpoint));
  proxy.stall(1ull << 30, 1000);  // "Content-Length: 1 GiB", then 1000 bytes, then silence
  TransportOptions o;
  o.allow_plain_loopback = true;
  auto t = make(o);
  Request r;
  r.url = proxy.http_endpoint() + "/";
  r.max_body_bytes = 1 << 20;
  const auto start = std::chrono::steady_clock::now();
  auto a = t->send(r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, Error::Kind::too_large) << a.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(HttpTransport, CountedBodyOverTheCapIsTooLarge) {
  S3_REQUIRE_SERVER(server);
  FaultProxy proxy(port_of(server.http_endpoint));
  // Announce nothing suspicious per byte: a 2 MiB answer against a 1 MiB cap, sent whole.
  proxy.answer(200, "OK", std::string(2 << 20, 'x'));
  TransportOptions o;
  o.allow_plain_loopback = true;
  auto t = make(o);
  Request r;
  r.url = proxy.http_endpoint() + "/";
  r.max_body_bytes = 1 << 20;
  StringSink sink;
  r.sink = &sink;
  auto a = t->send(r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, Error::Kind::too_large);
  EXPECT_LE(sink.text.size(), 1u << 20);
}

TEST(HttpTransport, StalledAnswerFailsAsStalled) {
  S3_REQUIRE_SERVER(server);
  FaultProxy proxy(port_of(server.http_endpoint));
  proxy.stall(1 << 20, 100);
  TransportOptions o;
  o.allow_plain_loopback = true;
  o.low_speed_bytes_per_second = 1000;
  o.low_speed_time = std::chrono::seconds(1);
  o.request_timeout = std::chrono::seconds(30);
  auto t = make(o);
  Request r;
  r.url = proxy.http_endpoint() + "/";
  auto a = t->send(r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, Error::Kind::stalled) << a.error().message;
}

TEST(HttpTransport, SinkFailureIsTypedAndErrorBodiesDoNotReachTheSink) {
  S3_REQUIRE_SERVER(server);
  TransportOptions o;
  o.ca_file = server.ca_file;
  auto t = make(o);
  StringSink sink;
  Request r;
  r.url = server.https_endpoint + "/no-such-bucket-here/key";
  r.sink = &sink;
  auto missing = t->send(r);
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(sink.text.empty());
  EXPECT_NE(missing->body.find("NoSuchBucket"), std::string::npos);

  sink.fail = true;
  r.url = server.https_endpoint + "/";
  auto failed = t->send(r);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, Error::Kind::sink);
  EXPECT_NE(failed.error().message.find("disk full (test)"), std::string::npos);
}

TEST(HttpTransport, SigV4SignedByLibcurlIsAcceptedAndAWrongSecretIsNot) {
  S3_REQUIRE_SERVER(server);
  TransportOptions o;
  o.ca_file = server.ca_file;
  auto t = make(o);
  Request r;
  r.url = server.https_endpoint + "/";
  r.headers = {
      {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}};
  r.sigv4 = SigV4{server.region, "s3", server.access_key, server.secret_key};
  auto ok = t->send(r);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->status, 200);
  EXPECT_NE(ok->body.find("<ID>smokerbak-test</ID>"), std::string::npos) << ok->body;
  r.sigv4->secret_key = "wrong" + server.secret_key;
  auto refused = t->send(r);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("SignatureDoesNotMatch"), std::string::npos);
}

// A bucket of this test process, created and removed with signed requests of the transport.
class SignedBucket {
 public:
  SignedBucket(const s3::testing::TestServer& server, Transport& t)
      : m_server(server),
        m_t(t),
        m_url(server.https_endpoint + "/" + s3::testing::unique_bucket("http")) {
    auto r = request(Method::put, m_url);
    auto a = m_t.send(r);
    EXPECT_TRUE(a && a->status == 200) << (a ? a->body : a.error().message);
  }
  ~SignedBucket() {
    auto del = request(Method::del, m_url + "/k");
    (void)m_t.send(del);
    auto r = request(Method::del, m_url);
    (void)m_t.send(r);
  }
  Request request(Method method, std::string url) const {
    Request r;
    r.method = method;
    r.url = std::move(url);
    r.headers = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
    r.sigv4 = SigV4{m_server.region, "s3", m_server.access_key, m_server.secret_key};
    return r;
  }
  const std::string& url() const { return m_url; }

 private:
  const s3::testing::TestServer& m_server;
  Transport& m_t;
  std::string m_url;
};

TEST(HttpTransport, UploadBandwidthLimitIsHonoured) {
  S3_REQUIRE_SERVER(server);
  TransportOptions o;
  o.ca_file = server.ca_file;
  o.max_send_bytes_per_second = 128 * 1024;
  auto t = make(o);
  SignedBucket bucket(server, *t);
  auto r = bucket.request(Method::put, bucket.url() + "/k");
  const std::string data(256 * 1024, 'b');
  BytesSource body(data);
  r.body = &body;
  const auto start = std::chrono::steady_clock::now();
  auto a = t->send(r);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->status, 200) << a->body;
  // 256 KiB at 128 KiB/s: about 2 s; well above 1 s even with a first burst.
  EXPECT_GE(took, std::chrono::milliseconds(1200));
}

TEST(HttpTransport, ConnectionCutMidBodyIsATransportError) {
  S3_REQUIRE_SERVER(server);
  TransportOptions o;
  o.ca_file = server.ca_file;
  auto direct = make(o);
  SignedBucket bucket(server, *direct);
  FaultProxy proxy(port_of(server.https_endpoint));
  proxy.cut_after(256 * 1024);
  auto t = make(o);
  const std::string path = bucket.url().substr(server.https_endpoint.size());
  auto r = bucket.request(Method::put, proxy.https_endpoint() + path + "/k");
  const std::string data(4 << 20, 'c');
  BytesSource body(data);
  r.body = &body;
  auto a = t->send(r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, Error::Kind::transport) << a.error().message;
  EXPECT_EQ(proxy.cuts(), 1);
}

}  // namespace
}  // namespace http
