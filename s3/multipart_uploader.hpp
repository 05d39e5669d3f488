#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "http/body.hpp"
#include "s3/client.hpp"
#include "s3/error.hpp"
#include "s3/types.hpp"

// Streams a source of known length into one object with flat memory whatever its size:
// one PutObject when it fits in one part, else a multipart upload with a bounded number of
// parts in flight, each on its own connection. Then sets the Object Lock retention when asked
// (servers such as RGW ignore lock headers on multipart uploads) and confirms size, ETag and
// lock with HEAD: the receipt says what the server holds, not what was sent.
namespace s3 {

struct UploaderOptions {
  // Part size, at least 8 MiB; doubled as often as needed to stay within 10000 parts.
  std::uint64_t part_size = 8ull << 20;
  // Parts uploaded at once (workers with a connection each); memory is about
  // (parts_in_flight + 1) * part_size. On loopback radosgw 1/2/3 in flight gave 63/82/95 MiB/s
  // (bench/s3/RESULTS.md); 3 keeps the peak RSS near 47 MiB.
  int parts_in_flight = 3;
  // Upload bandwidth limit for the whole upload, shared by the workers; 0: none.
  std::uint64_t max_send_bytes_per_second = 0;
  // Per-part x-amz-checksum-sha256 checksums, listed again in CompleteMultipartUpload (AWS
  // checks them; RGW 16 ignores them but checks the same hash as the signed payload).
  bool sha256_checksums = true;
  // Per-part Content-MD5 as well (one more hash of every byte; MD5 is the slowest of them).
  bool content_md5 = false;
  // Also the plain SHA-256 of the whole object as read (UploadReceipt::sha256_hex): one more
  // hash of every byte, on the reading thread. The composite checksum (below) comes for free.
  bool whole_sha256 = false;
  // On failure: abort the multipart upload (no orphaned parts), or leave it for a resume.
  bool abort_on_failure = true;
  // Continue this multipart upload of the same key: parts the server already holds with the
  // same size and MD5 as the source's are not sent again (the source is still read whole).
  std::string resume_upload_id;
  // Bytes of the source done so far (sent or found on the server) and the total. Called from
  // worker threads, one call at a time.
  std::function<void(std::uint64_t done, std::uint64_t total)> on_progress;
};

struct UploadReceipt {
  std::string key;
  std::string version_id;
  std::string etag;
  std::uint64_t size = 0;
  std::string sha256_hex;  // of the whole object as read (whole_sha256 only)
  // The object's SHA-256 checksum as S3 composes it (sha256_checksums only): for one PutObject
  // base64(SHA-256(object)); for a multipart upload base64(SHA-256(digest of part 1 || digest
  // of part 2 || ...)) + "-N", which a re-download recomputes by hashing `part_size` pieces.
  std::string composite_sha256;
  std::uint64_t part_size = 0;         // the part size used (0 for a single PutObject)
  std::string upload_id;               // empty for a single PutObject
  int parts = 0;                       // 0 for a single PutObject
  int parts_reused = 0;                // of a resumed upload, parts found on the server
  std::optional<Retention> retention;  // as HEAD shows it
  std::string checksum_sha256;         // as HEAD shows it, when the server keeps one
};

struct UploadFailure {
  Error error;
  // The multipart upload left on the server (to resume or abort), empty when none is left.
  std::string upload_id;
  // Set when the object was stored but could not be confirmed (retention refused or missing,
  // HEAD failing or showing other data): the version the caller must look after.
  std::string stored_version_id;
};

// base64(SHA-256(concatenated part digests)) + "-N" from the parts' base64 SHA-256 checksums
// (S3's composite checksum); empty if one is not a base64 SHA-256.
std::string composite_sha256(const std::vector<std::string>& part_checksums);

tl::expected<UploadReceipt, UploadFailure> upload_object(Client& client, const std::string& key,
                                                         http::BodySource& source,
                                                         const PutOptions& put,
                                                         const UploaderOptions& options = {});

// Aborts the multipart uploads under `prefix` initiated before `older_than` (the agent's own
// prefix: uploads carry no metadata in listings, the key is the tag). At most `max_uploads`
// are looked at. Returns how many were aborted.
Result<int> abort_stale_uploads(Client& client, const std::string& prefix, Time older_than,
                                int max_uploads = 10000);

}  // namespace s3
