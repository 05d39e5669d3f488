// Reading S3's XML answers (as RGW and AWS send them) within bounds.
#include <gtest/gtest.h>

#include "s3/time_format.hpp"
#include "s3/xml_answers.hpp"

namespace s3::xml {
namespace {

TEST(S3Xml, ErrorDocumentFromRgw) {
  auto e = parse_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>"
      "forbidden by object lock</Message><BucketName>lockb</BucketName><RequestId>tx0000</"
      "RequestId><HostId>100e-default-default</HostId></Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "AccessDenied");
  EXPECT_EQ(e->message, "forbidden by object lock");
  EXPECT_EQ(e->request_id, "tx0000");
  EXPECT_FALSE(parse_error(""));
  EXPECT_FALSE(parse_error("<html>bad gateway</html>"));
}

TEST(S3Xml, VersionsAndDeleteMarkersKeepTheirOrderAndMarkers) {
  const std::string body =
      "<ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
      "<IsTruncated>true</IsTruncated><NextKeyMarker>k2</NextKeyMarker>"
      "<NextVersionIdMarker>v3</NextVersionIdMarker>"
      "<Version><Key>k1</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest>"
      "<LastModified>2026-12-03T08:05:36.123Z</LastModified><ETag>\"e1\"</ETag><Size>6</Size>"
      "<StorageClass>STANDARD</StorageClass></Version>"
      "<DeleteMarker><Key>k2</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest>"
      "<LastModified>2026-12-03T08:05:37.000Z</LastModified></DeleteMarker>"
      "<Version><Key>k2</Key><VersionId>v3</VersionId><IsLatest>false</IsLatest>"
      "<LastModified>2026-12-03T08:05:35.000Z</LastModified><ETag>\"e3\"</ETag><Size>7</Size>"
      "</Version></ListVersionsResult>";
  auto page = parse_list_versions(body, 1000);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->versions.size(), 3u);
  EXPECT_EQ(page->versions[0].key, "k1");
  EXPECT_EQ(page->versions[0].size, 6u);
  EXPECT_TRUE(page->versions[1].delete_marker);
  EXPECT_FALSE(page->versions[2].is_latest);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_key_marker, "k2");
  EXPECT_EQ(page->next_version_id_marker, "v3");
  EXPECT_FALSE(parse_list_versions(body, 2)) << "more entries than asked for is refused";
}

TEST(S3Xml, TruncatedListingWithoutAMarkerIsRefusedSoPagingCannotLoop) {
  auto page = parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key><Size>1</Size>"
      "</Contents></ListBucketResult>",
      1000);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().kind, Error::Kind::bad_answer);
}

TEST(S3Xml, HostileDocumentsAreBoundedAndRefused) {
  // An entity bomb: pugixml expands no custom entities, the text stays as small as it came.
  const std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
      "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>&c;</Key><Size>1</Size>"
      "</Contents></ListBucketResult>";
  auto page = parse_list_objects_v2(bomb, 1000);
  if (page) {
    ASSERT_EQ(page->objects.size(), 1u);
    EXPECT_LT(page->objects[0].key.size(), 10u);
  }
  // A field far longer than any S3 value.
  const std::string long_key = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>" +
                               std::string(100'000, 'k') +
                               "</Key><Size>1</Size></Contents></ListBucketResult>";
  EXPECT_FALSE(parse_list_objects_v2(long_key, 1000));
  // Not XML, wrong root, non-numeric size.
  EXPECT_FALSE(parse_list_objects_v2("<<<", 1000));
  EXPECT_FALSE(parse_list_objects_v2("<Other/>", 1000));
  EXPECT_FALSE(parse_list_objects_v2(
      "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
      1000));
}

TEST(S3Xml, UploadsPartsLockAndRetention) {
  auto uploads = parse_list_uploads(
      "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>p/a</Key>"
      "<UploadId>2~x</UploadId><Initiated>2026-12-03T08:00:00.000Z</Initiated></Upload>"
      "</ListMultipartUploadsResult>",
      1000);
  ASSERT_TRUE(uploads) << uploads.error().message;
  ASSERT_EQ(uploads->uploads.size(), 1u);
  EXPECT_EQ(uploads->uploads[0].upload_id, "2~x");
  ASSERT_TRUE(uploads->uploads[0].initiated);

  auto parts = parse_list_parts(
      "<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>2"
      "</NextPartNumberMarker><Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag><Size>8388608"
      "</Size></Part><Part><PartNumber>2</PartNumber><ETag>\"b\"</ETag><Size>5</Size></Part>"
      "</ListPartsResult>",
      1000);
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_EQ(parts->parts.size(), 2u);
  EXPECT_EQ(parts->parts[0].size, 8388608u);
  EXPECT_EQ(parts->next_part_number_marker, 2);

  auto lock = parse_object_lock_configuration(
      "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule>"
      "<DefaultRetention><Mode>GOVERNANCE</Mode><Days>7</Days></DefaultRetention></Rule>"
      "</ObjectLockConfiguration>");
  ASSERT_TRUE(lock);
  EXPECT_TRUE(lock->enabled);
  EXPECT_EQ(lock->default_mode, LockMode::governance);
  EXPECT_EQ(lock->default_days, 7);

  auto retention = parse_retention(
      "<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2026-12-03T09:09:51.000000000Z"
      "</RetainUntilDate></Retention>");
  ASSERT_TRUE(retention);
  ASSERT_TRUE(*retention);
  EXPECT_EQ((*retention)->retain_until, *parse_iso8601("2026-12-03T09:09:51Z"));

  auto versioning = parse_versioning(
      "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>"
      "Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>");
  ASSERT_TRUE(versioning);
  EXPECT_EQ(*versioning, VersioningStatus::enabled);
  EXPECT_EQ(*parse_versioning("<VersioningConfiguration/>"), VersioningStatus::never_enabled);
}

TEST(S3Xml, RequestBodiesEscapeWhatTheyCarry) {
  const auto body = complete_multipart_body({{1, "\"a&b<c\"", "c2hhCg=="}});
  EXPECT_NE(body.find("<PartNumber>1</PartNumber>"), std::string::npos) << body;
  EXPECT_NE(body.find("a&amp;b&lt;c"), std::string::npos) << body;
  EXPECT_NE(body.find("<ChecksumSHA256>c2hhCg==</ChecksumSHA256>"), std::string::npos);
}

TEST(S3Time, Iso8601AndHttpDates) {
  const auto t = parse_iso8601("2026-12-03T09:09:51Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch().count(), 1796288991);
  EXPECT_EQ(parse_iso8601("2026-12-03T09:09:51.000000000Z"), t);
  EXPECT_EQ(format_iso8601(*t), "2026-12-03T09:09:51.000Z");
  EXPECT_EQ(format_amz_date(*t), "20261203T090951Z");
  EXPECT_EQ(parse_http_date("Thu, 03 Dec 2026 09:09:51 GMT"), t);
  EXPECT_FALSE(parse_iso8601("2026-13-03T09:09:51Z"));
  EXPECT_FALSE(parse_iso8601("2026-12-03 09:09:51"));
  EXPECT_FALSE(parse_iso8601("2026-12-03T09:09:51.Z"));
  EXPECT_FALSE(parse_http_date("yesterday"));
}

}  // namespace
}  // namespace s3::xml
