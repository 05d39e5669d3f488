// The S3 client against a real radosgw (fixture s3_server, HTTPS with a throwaway CA): SigV4,
// objects, multipart, versioning and Object Lock as the real implementation does them.
#include <thread>

#include "s3/multipart_uploader.hpp"
#include "tests/s3/s3_test_util.hpp"
#include "tests/s3_fixture/fault_proxy.hpp"

namespace s3 {
namespace {

using namespace std::chrono_literals;
using testing::now_plus;
using testing::PatternSource;
using testing::StringSink;

constexpr std::uint64_t k_mib = 1 << 20;

class S3Integration : public testing::S3ServerTest {};

std::uint16_t port_of(const std::string& endpoint) {
  return static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

TEST_F(S3Integration, SignedRequestsAreAcceptedAndAWrongSecretIsRefusedTyped) {
  auto c = new_bucket(false);
  ASSERT_TRUE(c->head_bucket());
  auto versioning = c->get_bucket_versioning();
  ASSERT_TRUE(versioning) << versioning.error().message;
  EXPECT_EQ(*versioning, VersioningStatus::never_enabled);

  auto o = testing::https_options(server, c->options().bucket);
  o.credentials.secret_key = server.secret_key;
  o.credentials.secret_key[0] = o.credentials.secret_key[0] == 'x' ? 'y' : 'x';
  auto wrong = client(o);
  auto listed = wrong->list_objects_v2("");
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().kind, Error::Kind::invalid_credentials) << listed.error().message;
  EXPECT_EQ(listed.error().http_status, 403);
  EXPECT_EQ(listed.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(listed.error().message.find(o.credentials.secret_key), std::string::npos);
  EXPECT_EQ(wrong->stats().requests, 1u) << "a refused signature is not retried";
  // HEAD answers carry no body; the client asks again to type the refusal.
  auto head = wrong->head_bucket();
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().kind, Error::Kind::invalid_credentials) << head.error().message;

  o = testing::https_options(server, c->options().bucket);
  o.credentials.access_key = "NOSUCHKEY0000000000";
  auto unknown = client(o);
  auto r = unknown->list_objects_v2("");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::invalid_credentials);
  EXPECT_EQ(r.error().code, "InvalidAccessKeyId");
}

TEST_F(S3Integration, RegionIsInTheSignatureScope) {
  auto c = new_bucket(false);
  testing::FaultProxy proxy(port_of(server.http_endpoint));
  auto o = testing::http_options(server, c->options().bucket, proxy.http_endpoint());
  o.region = "eu-test-1";
  auto regional = client(o);
  ASSERT_TRUE(regional->put_object("r", std::string_view("x"), {}));
  const auto sent = proxy.sent_by_clients();
  EXPECT_NE(sent.find("/eu-test-1/s3/aws4_request, SignedHeaders="), std::string::npos) << sent;
  EXPECT_NE(
      sent.find(
          "x-amz-content-sha256: 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
      std::string::npos);
}

TEST_F(S3Integration, PutGetHeadCarryMetadataChecksumsAndRanges) {
  auto c = new_bucket(false);
  PutOptions put;
  put.metadata = {{"plaintext-sha256", std::string(64, 'a')}, {"owner", "smokerbak-test"}};
  put.content_type = "application/x-age";
  const std::string data = "small object body";
  auto stored = c->put_object("dir/sub dir/obj.age", data, put);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->etag, "\"" + to_hex(md5(data)) + "\"");

  auto head = c->head_object("dir/sub dir/obj.age");
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->size, data.size());
  EXPECT_EQ(head->etag, stored->etag);
  EXPECT_EQ(head->metadata.at("plaintext-sha256"), std::string(64, 'a'));
  EXPECT_EQ(head->metadata.at("owner"), "smokerbak-test");
  EXPECT_EQ(head->content_type, "application/x-age");
  EXPECT_TRUE(head->last_modified);
  EXPECT_FALSE(head->retention);

  StringSink whole;
  auto got = c->get_object("dir/sub dir/obj.age", whole);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(whole.text, data);
  StringSink part;
  GetOptions range;
  range.range = ByteRange{6, 11};
  auto ranged = c->get_object("dir/sub dir/obj.age", part, range);
  ASSERT_TRUE(ranged) << ranged.error().message;
  EXPECT_EQ(part.text, "object");
  EXPECT_EQ(ranged->size, data.size());  // from Content-Range

  auto missing = c->head_object("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, Error::Kind::no_such_key);
  StringSink none;
  auto missing_get = c->get_object("nope", none);
  ASSERT_FALSE(missing_get);
  EXPECT_EQ(missing_get.error().kind, Error::Kind::no_such_key);
  EXPECT_EQ(missing_get.error().code, "NoSuchKey");
  EXPECT_TRUE(none.text.empty());
}

TEST_F(S3Integration, ServerChecksTheSentDigests) {
  auto c = new_bucket(false);
  const std::string data = "checked body";
  http::BytesSource source(data);
  Client::PutDigests bad_md5{to_base64(md5("other")), ""};
  auto r = c->put_object("k", source, {}, bad_md5);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::bad_digest);
  EXPECT_EQ(r.error().code, "BadDigest");
  source.rewind();
  // radosgw ignores x-amz-checksum-sha256 but checks the signed payload hash.
  Client::PutDigests bad_sha{"", to_hex(sha256("other"))};
  auto s = c->put_object("k", source, {}, bad_sha);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, Error::Kind::bad_digest);
  EXPECT_EQ(s.error().code, "XAmzContentSHA256Mismatch");
  EXPECT_FALSE(c->head_object("k"));
}

TEST_F(S3Integration, MultipartAtThePartBoundaryWithATailRoundTrips) {
  auto c = new_bucket(false);
  UploaderOptions up;
  up.part_size = 8 * k_mib;
  up.parts_in_flight = 2;
  up.whole_sha256 = true;
  std::vector<std::uint64_t> progress;
  up.on_progress = [&](std::uint64_t done, std::uint64_t) { progress.push_back(done); };
  PatternSource source(16 * k_mib + 12345, 7);
  auto receipt = upload_object(*c, "mp/tail", source, {}, up);
  ASSERT_TRUE(receipt) << receipt.error().error.message;
  EXPECT_EQ(receipt->parts, 3);
  EXPECT_EQ(receipt->size, 16 * k_mib + 12345);
  EXPECT_EQ(receipt->etag.substr(receipt->etag.size() - 3), "-3\"");
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), 16 * k_mib + 12345);

  StringSink back;
  ASSERT_TRUE(c->get_object("mp/tail", back));
  EXPECT_EQ(to_hex(sha256(back.text)), receipt->sha256_hex);
  EXPECT_EQ(back.text, source.all());
  // The composite checksum, recomputed from the download in part-size pieces.
  std::vector<std::string> pieces;
  for (std::uint64_t at = 0; at < back.text.size(); at += receipt->part_size) {
    pieces.push_back(to_base64(sha256(std::string_view(back.text).substr(at, receipt->part_size))));
  }
  EXPECT_EQ(receipt->composite_sha256, composite_sha256(pieces));
  EXPECT_EQ(receipt->composite_sha256.substr(receipt->composite_sha256.size() - 2), "-3");
  ASSERT_TRUE(c->delete_object("mp/tail"));

  // Exactly one part's size is a single PutObject; one byte more is two parts.
  PatternSource exact(8 * k_mib, 8);
  auto single = upload_object(*c, "mp/exact", exact, {}, up);
  ASSERT_TRUE(single) << single.error().error.message;
  EXPECT_EQ(single->parts, 0);
  EXPECT_EQ(single->etag, "\"" + to_hex(md5(exact.all())) + "\"");
  ASSERT_TRUE(c->delete_object("mp/exact"));
  PatternSource over(8 * k_mib + 1, 9);
  auto two = upload_object(*c, "mp/over", over, {}, up);
  ASSERT_TRUE(two) << two.error().error.message;
  EXPECT_EQ(two->parts, 2);
  ASSERT_TRUE(c->delete_object("mp/over"));
}

TEST_F(S3Integration, PartsUnderFiveMiBAreRefusedTyped) {
  auto c = new_bucket(false);
  auto id = c->create_multipart_upload("small-parts", {});
  ASSERT_TRUE(id) << id.error().message;
  auto p1 = c->upload_part("small-parts", *id, 1, std::string(1 * k_mib, 'a'));
  auto p2 = c->upload_part("small-parts", *id, 2, std::string(10, 'b'));
  ASSERT_TRUE(p1 && p2);
  auto done = c->complete_multipart_upload(
      "small-parts", *id, {{1, p1->etag, p1->checksum_sha256}, {2, p2->etag, p2->checksum_sha256}});
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().kind, Error::Kind::entity_too_small) << done.error().message;
  EXPECT_TRUE(c->abort_multipart_upload("small-parts", *id));
}

TEST_F(S3Integration, VersioningKeepsEveryVersionAndListsThemInPages) {
  auto c = new_bucket(false, true);
  auto versioning = c->get_bucket_versioning();
  ASSERT_TRUE(versioning);
  EXPECT_EQ(*versioning, VersioningStatus::enabled);
  auto first = c->put_object("v/k", std::string_view("one"), {});
  auto second = c->put_object("v/k", std::string_view("two"), {});
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->version_id, second->version_id);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c->put_object("v/other" + std::to_string(i), std::string_view("x"), {}));
  }
  StringSink old;
  GetOptions g;
  g.version_id = first->version_id;
  ASSERT_TRUE(c->get_object("v/k", old, g));
  EXPECT_EQ(old.text, "one");

  std::vector<VersionSummary> all;
  std::string key_marker, version_marker;
  int pages = 0;
  do {
    auto page = c->list_object_versions("v/", key_marker, version_marker, 2);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_LE(page->versions.size(), 2u);
    all.insert(all.end(), page->versions.begin(), page->versions.end());
    ++pages;
    if (!page->truncated) break;
    key_marker = page->next_key_marker;
    version_marker = page->next_version_id_marker;
  } while (pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(all.size(), 5u);
  int of_k = 0;
  for (const auto& v : all) of_k += v.key == "v/k";
  EXPECT_EQ(of_k, 2);

  std::vector<ObjectSummary> objects;
  std::string token;
  pages = 0;
  do {
    auto page = c->list_objects_v2("v/", token, 3);
    ASSERT_TRUE(page) << page.error().message;
    objects.insert(objects.end(), page->objects.begin(), page->objects.end());
    ++pages;
    if (!page->truncated) break;
    token = page->next_continuation_token;
  } while (pages < 10);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(objects.size(), 4u);

  // A delete without a version id only adds a delete marker.
  ASSERT_TRUE(c->delete_object("v/k"));
  auto after = c->list_object_versions("v/k");
  ASSERT_TRUE(after);
  int markers = 0;
  for (const auto& v : after->versions) markers += v.delete_marker;
  EXPECT_EQ(markers, 1);
}

TEST_F(S3Integration, LockOnABucketWithoutObjectLockIsTyped) {
  auto c = new_bucket(false);
  auto lock = c->get_object_lock_configuration();
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_FALSE(lock->enabled);
  PutOptions put;
  put.retention = Retention{LockMode::compliance, now_plus(60s)};
  auto r = c->put_object("locked", std::string_view("x"), put);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::object_lock_not_enabled) << r.error().message;
}

TEST_F(S3Integration, LockedUploadToABucketWithoutLockFailsNamingWhatWasStored) {
  auto c = new_bucket(false);
  PutOptions put;
  put.retention = Retention{LockMode::compliance, now_plus(60s)};
  PatternSource source(8 * k_mib + 10, 4);
  UploaderOptions up;
  up.parts_in_flight = 1;
  auto r = upload_object(*c, "nolock/k", source, put, up);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error.kind, Error::Kind::object_lock_not_enabled) << r.error().error.message;
  EXPECT_TRUE(r.error().upload_id.empty());
  // Whatever got stored unlocked is named, so the caller can remove it.
  if (!r.error().stored_version_id.empty()) {
    EXPECT_TRUE(c->head_object("nolock/k", r.error().stored_version_id));
  }
}

TEST_F(S3Integration, RgwIgnoresLockHeadersOnMultipartSoRetentionIsSetAfterwards) {
  auto c = new_bucket(true);
  auto lock = c->get_object_lock_configuration();
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(lock->enabled);
  auto versioning = c->get_bucket_versioning();
  ASSERT_TRUE(versioning);
  EXPECT_EQ(*versioning, VersioningStatus::enabled);  // Object Lock turns it on

  // By hand: lock headers on CreateMultipartUpload, then HEAD shows no lock (the quirk).
  PutOptions put;
  put.retention = Retention{LockMode::governance, now_plus(5s)};
  auto id = c->create_multipart_upload("by-hand", put);
  ASSERT_TRUE(id) << id.error().message;
  const std::string part1(5 * k_mib, 'p');
  auto p1 = c->upload_part("by-hand", *id, 1, part1);
  auto p2 = c->upload_part("by-hand", *id, 2, "tail");
  ASSERT_TRUE(p1 && p2);
  auto done = c->complete_multipart_upload(
      "by-hand", *id, {{1, p1->etag, p1->checksum_sha256}, {2, p2->etag, p2->checksum_sha256}});
  ASSERT_TRUE(done) << done.error().message;
  auto head = c->head_object("by-hand", done->version_id);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_FALSE(head->retention)
      << "radosgw 16 started locking multipart uploads: update docs/s3.md";
  EXPECT_EQ(head->etag, multipart_etag({p1->etag, p2->etag}));
  EXPECT_TRUE(c->delete_object("by-hand", done->version_id));

  // The uploader sets it with PutObjectRetention and confirms it with HEAD.
  PatternSource source(8 * k_mib + 100, 3);
  UploaderOptions up;
  up.parts_in_flight = 1;
  put.retention = Retention{LockMode::governance, now_plus(5s)};
  auto receipt = upload_object(*c, "uploaded", source, put, up);
  ASSERT_TRUE(receipt) << receipt.error().error.message;
  ASSERT_TRUE(receipt->retention);
  EXPECT_EQ(receipt->retention->mode, LockMode::governance);
  EXPECT_GE(receipt->retention->retain_until, put.retention->retain_until);
  auto refused = c->delete_object("uploaded", receipt->version_id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Error::Kind::object_locked) << refused.error().message;
  EXPECT_TRUE(c->delete_object("uploaded", receipt->version_id, true));  // GOVERNANCE bypass
}

TEST_F(S3Integration, ComplianceCanBeExtendedNeverShortenedAndBlocksDeletesUntilItExpires) {
  auto c = new_bucket(true);
  const auto until = now_plus(3s);
  PutOptions put;
  put.retention = Retention{LockMode::compliance, until};
  auto stored = c->put_object("c/k", std::string_view("kept"), put);
  ASSERT_TRUE(stored) << stored.error().message;
  auto head = c->head_object("c/k", stored->version_id);
  ASSERT_TRUE(head && head->retention);
  EXPECT_EQ(head->retention->mode, LockMode::compliance);
  EXPECT_EQ(head->retention->retain_until, until);

  auto extended = c->put_object_retention("c/k", stored->version_id,
                                          Retention{LockMode::compliance, until + 1s});
  ASSERT_TRUE(extended) << extended.error().message;
  auto shortened =
      c->put_object_retention("c/k", stored->version_id, Retention{LockMode::compliance, until});
  ASSERT_FALSE(shortened);
  EXPECT_EQ(shortened.error().kind, Error::Kind::retention_refused) << shortened.error().message;
  EXPECT_NE(shortened.error().message.find("never shortened"), std::string::npos);
  auto read = c->get_object_retention("c/k", stored->version_id);
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->retain_until, until + 1s);

  auto refused = c->delete_object("c/k", stored->version_id, true);  // no bypass for COMPLIANCE
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Error::Kind::object_locked) << refused.error().message;
  EXPECT_NE(refused.error().message.find("can be deleted after that"), std::string::npos);

  std::this_thread::sleep_until(std::chrono::system_clock::time_point(until + 1s) + 300ms);
  auto deleted = c->delete_object("c/k", stored->version_id);
  EXPECT_TRUE(deleted) << deleted.error().message;
}

TEST_F(S3Integration, StaleUploadsUnderThePrefixAreListedAndAborted) {
  auto c = new_bucket(false);
  auto a = c->create_multipart_upload("mine/a", {});
  auto b = c->create_multipart_upload("mine/b", {});
  auto other = c->create_multipart_upload("theirs/c", {});
  ASSERT_TRUE(a && b && other);
  ASSERT_TRUE(c->upload_part("mine/a", *a, 1, "some bytes"));
  auto listed = c->list_multipart_uploads("mine/");
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->uploads.size(), 2u);
  auto parts = c->list_parts("mine/a", *a);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->parts.size(), 1u);
  EXPECT_EQ(parts->parts[0].size, 10u);

  auto none = abort_stale_uploads(*c, "mine/", now_plus(-3600s));
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);  // none is older than an hour
  auto aborted = abort_stale_uploads(*c, "mine/", now_plus(60s));
  ASSERT_TRUE(aborted) << aborted.error().message;
  EXPECT_EQ(*aborted, 2);
  auto left = c->list_multipart_uploads("");
  ASSERT_TRUE(left);
  ASSERT_EQ(left->uploads.size(), 1u);
  EXPECT_EQ(left->uploads[0].key, "theirs/c");
  EXPECT_TRUE(c->abort_multipart_upload("theirs/c", *other));
  EXPECT_TRUE(c->abort_multipart_upload("theirs/c", *other)) << "already gone counts as aborted";
}

TEST_F(S3Integration, PinnedCertificateFingerprintInsteadOfTheCa) {
  auto c = new_bucket(false);
  auto o = testing::https_options(server, c->options().bucket);
  o.ca_file.reset();
  o.fingerprint = server.fingerprint;
  auto pinned = client(o);
  EXPECT_TRUE(pinned->head_bucket());
  std::string wrong = server.fingerprint;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  o.fingerprint = wrong;
  auto mismatched = client(o);
  auto r = mismatched->head_bucket();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::tls);
  o.fingerprint.reset();  // neither: the system store, which does not know the test CA
  auto untrusted = client(o);
  auto u = untrusted->head_bucket();
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().kind, Error::Kind::tls);
  EXPECT_EQ(untrusted->stats().requests, 1u) << "TLS refusals are not retried";
}

TEST_F(S3Integration, NoSuchBucketSaysWhatToCreate) {
  auto c = client(testing::https_options(server, testing::unique_bucket("absent")));
  auto r = c->head_bucket();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::no_such_bucket);
  EXPECT_NE(r.error().message.find("Create bucket"), std::string::npos);
}

}  // namespace
}  // namespace s3
