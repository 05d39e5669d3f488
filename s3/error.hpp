#pragma once

#include <string>

#include <tl/expected.hpp>

// Errors of the S3 client, returned as values. Kinds come from the S3 error code of the answer
// (or from the transport); `message` says what happened and what the operator can do.
namespace s3 {

struct Error {
  enum class Kind {
    invalid_argument,         // the caller's input is unusable (bucket name, key, part size)
    transport,                // connection refused/reset/cut, DNS, send or receive failure
    tls,                      // certificate not trusted, fingerprint mismatch, handshake failure
    timeout,                  // connect/total timeout or a stalled transfer
    too_large,                // an answer over the client's bounds (body, headers, list length)
    source,                   // the local data to upload could not be read
    sink,                     // a download could not be stored (e.g. disk full)
    access_denied,            // 403 AccessDenied: the key's policy does not allow the operation
    invalid_credentials,      // InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken, ...
    clock_skew,               // RequestTimeTooSkewed: the host clock is off
    slow_down,                // SlowDown, 503 Service Unavailable, 429
    server_error,             // 500 InternalError and other 5xx
    no_such_bucket,           // NoSuchBucket
    no_such_key,              // NoSuchKey, or 404 on HEAD of an object
    no_such_version,          // NoSuchVersion
    no_such_upload,           // NoSuchUpload: completed, aborted or expired multipart upload
    object_locked,            // a delete refused because the version is under Object Lock
    retention_refused,        // PutObjectRetention refused: it would shorten or weaken a lock
    object_lock_not_enabled,  // lock asked on a bucket without Object Lock
    lock_not_applied,     // the server accepted the upload but HEAD shows no (or a shorter) lock
    entity_too_small,     // EntityTooSmall: a part other than the last is under 5 MiB
    invalid_part,         // InvalidPart, InvalidPartOrder: Complete names parts not stored
    bad_digest,           // BadDigest, XAmzContentSHA256Mismatch, checksum mismatch
    precondition_failed,  // 412 PreconditionFailed
    invalid_request,      // any other refusal (4xx) of the server
    bad_answer,           // an answer that is not what S3 documents (XML, missing fields)
  };
  Kind kind = Kind::transport;
  int http_status = 0;     // 0 when no HTTP answer was received
  std::string code;        // the S3 error code ("AccessDenied"), empty without one
  std::string message;     // full sentence(s) for operators; never contains a secret
  std::string request_id;  // x-amz-request-id / <RequestId>, for the provider's support
};

template <typename T>
using Result = tl::expected<T, Error>;

const char* to_string(Error::Kind kind);

inline tl::unexpected<Error> make_error(Error::Kind kind, std::string message,
                                        int http_status = 0) {
  return tl::unexpected<Error>(Error{kind, http_status, {}, std::move(message), {}});
}

// True for failures worth repeating a repeatable request for: transport failures, timeouts,
// SlowDown/503 and other 5xx answers.
bool is_retryable(const Error& error);

}  // namespace s3
