// The transport's pure parts and the checks it makes before anything is sent.
#include <gtest/gtest.h>

#include "http/transport.hpp"

namespace http {
namespace {

TEST(HttpEscape, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(escape("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(escape("a b/c:d@e+f=g&h"), "a%20b%2Fc%3Ad%40e%2Bf%3Dg%26h");
  EXPECT_EQ(escape("\xc3\xa4"), "%C3%A4");
  EXPECT_EQ(encode_params({{"a b", "c&d"}, {"e", ""}}), "a%20b=c%26d&e=");
}

TEST(HttpFingerprint, NormalizesCaseAndColons) {
  const std::string lower(64, 'a');
  auto n = normalize_fingerprint(lower);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->size(), 95u);
  EXPECT_EQ(n->substr(0, 6), "AA:AA:");
  EXPECT_EQ(normalize_fingerprint(*n), n);
  EXPECT_FALSE(normalize_fingerprint("AB:CD"));
  EXPECT_FALSE(normalize_fingerprint(std::string(64, 'g')));
}

TEST(HttpHeaders, LookupIgnoresCase) {
  Headers h = {{"ETag", "\"x\""}, {"x-amz-version-id", "v"}};
  ASSERT_TRUE(find_header(h, "etag"));
  EXPECT_EQ(*find_header(h, "X-Amz-Version-Id"), "v");
  EXPECT_FALSE(find_header(h, "content-length"));
}

Transport& transport(TransportOptions o = {}) {
  static auto t = make_curl_transport(o);
  return **t;
}

TEST(HttpChecks, PlainHttpIsRefusedUnlessLoopbackAndAllowed) {
  Request r;
  r.url = "http://127.0.0.1:1/";
  auto a = transport().send(r);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, Error::Kind::invalid_request);
  TransportOptions o;
  o.allow_plain_loopback = true;
  auto loopback_ok = make_curl_transport(o);
  ASSERT_TRUE(loopback_ok);
  r.url = "http://127.0.0.2:1/";  // loopback range, but not the one address allowed
  auto b = (*loopback_ok)->send(r);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, Error::Kind::invalid_request);
  r.url = "ftp://127.0.0.1:1/";
  EXPECT_EQ((*loopback_ok)->send(r).error().kind, Error::Kind::invalid_request);
}

TEST(HttpChecks, HeaderInjectionAndUnsignableRequestsAreRefused) {
  Request r;
  r.url = "https://127.0.0.1:1/";
  r.headers = {{"X-A", "1\r\nInjected: yes"}};
  EXPECT_EQ(transport().send(r).error().kind, Error::Kind::invalid_request);
  r.headers = {};
  r.sigv4 = SigV4{"eu-test-1", "s3", "AK", "SK"};
  auto unsigned_payload = transport().send(r);
  ASSERT_FALSE(unsigned_payload);
  EXPECT_EQ(unsigned_payload.error().kind, Error::Kind::invalid_request);
  EXPECT_NE(unsigned_payload.error().message.find("x-amz-content-sha256"), std::string::npos);
}

TEST(HttpChecks, BadTrustOptionsFailAtCreation) {
  TransportOptions o;
  o.fingerprint = "AB:CD";
  EXPECT_EQ(make_curl_transport(o).error().kind, Error::Kind::invalid_request);
  o = {};
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(make_curl_transport(o).error().kind, Error::Kind::invalid_request);
}

}  // namespace
}  // namespace http
