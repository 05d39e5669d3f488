#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

// Plain values exchanged with the S3 client (no transport or XML types).
namespace s3 {

using Time = std::chrono::sys_seconds;

enum class LockMode { governance, compliance };
const char* to_string(LockMode mode);  // "GOVERNANCE", "COMPLIANCE"

struct Retention {
  LockMode mode = LockMode::compliance;
  Time retain_until{};
};

enum class VersioningStatus { never_enabled, enabled, suspended };

struct ObjectLockConfiguration {
  bool enabled = false;
  // The bucket's default retention, when one is configured.
  std::optional<LockMode> default_mode;
  std::optional<int> default_days;
  std::optional<int> default_years;
};

// User metadata: the names without the x-amz-meta- prefix, lowercase (as S3 returns them).
using Metadata = std::map<std::string, std::string>;

struct ObjectInfo {
  std::uint64_t size = 0;
  std::string etag;        // as the server sends it, quotes included
  std::string version_id;  // empty on an unversioned bucket ("null" is passed through)
  std::optional<Time> last_modified;
  Metadata metadata;
  std::string storage_class;  // empty means STANDARD
  std::optional<Retention> retention;
  std::string checksum_sha256;  // x-amz-checksum-sha256 (base64) when the server keeps one
  std::string content_type;
};

struct PutOptions {
  std::string content_type = "application/octet-stream";
  Metadata metadata;          // sent as x-amz-meta-NAME; names: lowercase letters, digits, '-'
  std::string storage_class;  // "STANDARD_IA", "GLACIER_IR", ...; empty: the bucket's default
  std::optional<Retention> retention;  // Object Lock mode + retain-until for the new version
};

struct PutResult {
  std::string etag;
  std::string version_id;
};

struct CompletedPart {
  int number = 0;
  std::string etag;             // as UploadPart returned it
  std::string checksum_sha256;  // base64, sent back in CompleteMultipartUpload
};

struct UploadSummary {  // one entry of ListMultipartUploads
  std::string key;
  std::string upload_id;
  std::optional<Time> initiated;
  std::string storage_class;
};

struct UploadPage {
  std::vector<UploadSummary> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

struct PartSummary {  // one entry of ListParts
  int number = 0;
  std::string etag;
  std::uint64_t size = 0;
  std::string checksum_sha256;
};

struct PartPage {
  std::vector<PartSummary> parts;
  bool truncated = false;
  int next_part_number_marker = 0;
};

struct ObjectSummary {  // one entry of ListObjectsV2
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
  std::optional<Time> last_modified;
  std::string storage_class;
};

struct ObjectPage {
  std::vector<ObjectSummary> objects;
  bool truncated = false;
  std::string next_continuation_token;
};

struct VersionSummary {  // one entry of ListObjectVersions (a version or a delete marker)
  std::string key;
  std::string version_id;
  bool is_latest = false;
  bool delete_marker = false;
  std::uint64_t size = 0;
  std::string etag;
  std::optional<Time> last_modified;
  std::string storage_class;
};

struct VersionPage {
  std::vector<VersionSummary> versions;  // versions and delete markers, in key order
  bool truncated = false;
  std::string next_key_marker;
  std::string next_version_id_marker;
};

// An inclusive byte range for GetObject.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

}  // namespace s3
