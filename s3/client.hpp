#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "http/body.hpp"
#include "http/transport.hpp"
#include "s3/error.hpp"
#include "s3/types.hpp"

// A client for one bucket of an S3-compatible service (AWS, Ceph RGW, MinIO, Backblaze B2,
// Wasabi) over the shared HTTPS transport, signed with SigV4 by libcurl. The operations are
// the ones the off-site tier needs (docs/s3.md). Not thread-safe: one Client per thread;
// clone() makes another one with its own connection.
namespace s3 {

enum class AddressingStyle {
  path,          // https://endpoint/bucket/key (works everywhere, the default)
  virtual_host,  // https://bucket.endpoint/key (AWS's preferred form; needs DNS for the name)
};

struct Credentials {
  std::string access_key;
  std::string secret_key;     // never logged, never in an error message
  std::string session_token;  // temporary credentials (x-amz-security-token); may be empty
};

// Repeats of repeatable requests on retryable failures (is_retryable): exponential backoff
// with full jitter, delay_n = random(0, min(max_delay, first_delay * 2^n)).
struct RetryPolicy {
  int attempts = 5;  // total tries, including the first
  std::chrono::milliseconds first_delay{250};
  std::chrono::milliseconds max_delay{10'000};
};

struct ClientOptions {
  std::string endpoint;  // "https://s3.eu-central-1.amazonaws.com", "https://127.0.0.1:7480"
  std::string region = "us-east-1";  // in the SigV4 scope; RGW accepts any, AWS checks it
  std::string bucket;
  AddressingStyle addressing = AddressingStyle::path;
  Credentials credentials;
  // Trust, as for the Proxmox API: the CA file (or the system store when unset) with host-name
  // check, or the leaf certificate's SHA-256 fingerprint. Never switched off.
  std::optional<std::filesystem::path> ca_file;
  std::optional<std::string> fingerprint;
  bool allow_plain_loopback = false;  // http:// to 127.0.0.1 only (tests)
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};  // requests without a large body
  // Uploads and downloads of parts/objects: their total limit; a stall fails them sooner.
  std::chrono::milliseconds transfer_timeout{3'600'000};
  std::uint64_t low_speed_bytes_per_second = 4096;
  std::chrono::seconds low_speed_time{60};
  std::uint64_t max_send_bytes_per_second = 0;  // upload bandwidth limit of this client; 0: none
  // Sign the body's SHA-256 (x-amz-content-sha256) whenever it is known (computed for a
  // checksum anyway), so that servers which ignore x-amz-checksum-sha256 (RGW 16) still verify
  // every byte; otherwise, and for bodies of unknown hash, UNSIGNED-PAYLOAD (TLS protects the
  // transfer).
  bool sign_payload = true;
  RetryPolicy retry;
  // Caps on what the server may send: XML answers, list entries per page.
  std::uint64_t max_xml_bytes = 8ull << 20;
  int max_list_entries = 1000;
  // Test seams: the wait between retries (default sleeps), and the signing clock (default:
  // libcurl's, the host clock). A set clock is signed as X-Amz-Date.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::chrono::system_clock::time_point()> signing_clock;
};

struct ClientStats {
  std::uint64_t requests = 0;  // every request sent, retries included
  std::uint64_t retries = 0;
};

// How a client gets its HTTP transport (tests may wrap the real one).
using TransportFactory =
    std::function<http::Result<std::unique_ptr<http::Transport>>(const http::TransportOptions&)>;

struct PartResult {
  std::string etag;
  std::string checksum_sha256;  // base64 of the part's SHA-256, as sent (when computed)
  std::string md5_hex;          // of the part as sent (when computed; compared with the ETag)
};

// Which digests of a part UploadPart sends (see Client::upload_part).
struct PartDigests {
  bool md5 = true;
  bool sha256 = true;
};

struct GetOptions {
  std::string version_id;  // empty: the latest version
  std::optional<ByteRange> range;
  std::uint64_t max_bytes = 1ull << 40;  // refuse a body larger than this
};

class Client {
 public:
  // Checks the options (endpoint scheme, bucket name, region) and creates the transport.
  static Result<std::unique_ptr<Client>> create(ClientOptions options,
                                                TransportFactory factory = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Another client with the same settings and its own connection (for parallel parts), with
  // `max_send_bytes_per_second` as its bandwidth limit (0: none).
  Result<std::unique_ptr<Client>> clone(std::uint64_t max_send_bytes_per_second) const;

  const ClientOptions& options() const { return m_options; }
  ClientStats stats() const { return m_stats; }

  // --- bucket ---
  Result<void> head_bucket();
  Result<VersioningStatus> get_bucket_versioning();
  // Object Lock off is a value (enabled = false), not an error.
  Result<ObjectLockConfiguration> get_object_lock_configuration();
  // For tests and setup: creates the bucket (with Object Lock, which enables versioning).
  Result<void> create_bucket(bool object_lock);
  Result<void> delete_bucket();
  Result<void> put_bucket_versioning(bool enabled);

  // --- objects ---
  // Streams `body` (its exact size as Content-Length). Sends Content-MD5 and
  // x-amz-checksum-sha256 when given (Object Lock needs one of them on AWS) and signs the
  // SHA-256 with sign_payload. Repeated on retryable failures only when the body can rewind.
  struct PutDigests {
    std::string md5_base64;
    std::string sha256_hex;
  };
  Result<PutResult> put_object(const std::string& key, http::BodySource& body,
                               const PutOptions& options, const PutDigests& digests = {});
  // One buffer: computes the digests itself.
  Result<PutResult> put_object(const std::string& key, std::string_view data,
                               const PutOptions& options);
  Result<ObjectInfo> head_object(const std::string& key, const std::string& version_id = {});
  // Streams the body of a 2xx answer into `sink`; the returned info is from the GET's headers.
  Result<ObjectInfo> get_object(const std::string& key, http::BodySink& sink,
                                const GetOptions& options = {});
  // A refusal because the version is locked is object_locked (confirmed by reading the
  // version's retention), distinct from access_denied.
  Result<void> delete_object(const std::string& key, const std::string& version_id = {},
                             bool bypass_governance = false);
  // Sets the version's retention. A refusal that would shorten or weaken the current lock is
  // retention_refused (with the current lock in the message); never shortening is the caller's
  // rule, this surfaces the server's.
  Result<void> put_object_retention(const std::string& key, const std::string& version_id,
                                    const Retention& retention, bool bypass_governance = false);
  // nullopt when the version has no retention.
  Result<std::optional<Retention>> get_object_retention(const std::string& key,
                                                        const std::string& version_id);

  // --- listings (one bounded page each; follow the markers for more) ---
  Result<ObjectPage> list_objects_v2(const std::string& prefix,
                                     const std::string& continuation_token = {},
                                     int max_keys = 1000);
  Result<VersionPage> list_object_versions(const std::string& prefix,
                                           const std::string& key_marker = {},
                                           const std::string& version_id_marker = {},
                                           int max_keys = 1000);

  // --- multipart ---
  // Lock headers are sent too, but some servers (RGW) ignore them on multipart uploads: set
  // the retention after completing (MultipartUploader does) and confirm it with HEAD.
  // `sha256_checksums` asks for per-part SHA-256 checksums (x-amz-checksum-algorithm).
  Result<std::string> create_multipart_upload(const std::string& key, const PutOptions& options,
                                              bool sha256_checksums = true);
  // Parts are 5 MiB..5 GiB (the last may be smaller), numbers 1..10000. Sends the chosen
  // digests of `data` (Content-MD5, checked by every S3 server; x-amz-checksum-sha256, checked
  // by AWS) and signs its SHA-256 when it was computed (sign_payload); repeated on retryable
  // failures (a part of the same number replaces the earlier one).
  using PartDigests = s3::PartDigests;
  Result<PartResult> upload_part(const std::string& key, const std::string& upload_id,
                                 int part_number, std::string_view data, PartDigests digests = {});
  // Repeated on retryable failures with care: a repeat that finds the upload gone
  // (NoSuchUpload) counts as success only when HEAD shows the object with the ETag these parts
  // make (MD5 of the part MD5s, "-N"). A 200 answer carrying an <Error> is an error.
  Result<PutResult> complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                              const std::vector<CompletedPart>& parts);
  // An upload already gone (NoSuchUpload) counts as aborted.
  Result<void> abort_multipart_upload(const std::string& key, const std::string& upload_id);
  Result<UploadPage> list_multipart_uploads(const std::string& prefix,
                                            const std::string& key_marker = {},
                                            const std::string& upload_id_marker = {},
                                            int max_uploads = 1000);
  Result<PartPage> list_parts(const std::string& key, const std::string& upload_id,
                              int part_number_marker = 0, int max_parts = 1000);

  struct Impl;

 private:
  Client(ClientOptions options, TransportFactory factory,
         std::unique_ptr<http::Transport> transport);

  std::mt19937_64& rng();

  ClientOptions m_options;
  TransportFactory m_factory;
  std::unique_ptr<http::Transport> m_transport;
  ClientStats m_stats;
  std::unique_ptr<std::mt19937_64> m_rng;

  friend struct Impl;
};

// The multipart ETag S3 gives an object completed from these part ETags: hex MD5 of the
// concatenated binary part MD5s, "-N", quoted. Empty if a part ETag is not a hex MD5.
std::string multipart_etag(const std::vector<std::string>& part_etags);

}  // namespace s3
