#include <chrono>
#include <map>

#include "s3/answer_errors.hpp"
#include "s3/time_format.hpp"
#include "s3/xml_answers.hpp"

namespace s3 {
namespace {

using Kind = Error::Kind;

Kind kind_from_code(const std::string& code, int status, const CallContext& call) {
  static const std::map<std::string, Kind> k_codes = {
      {"AccessDenied", Kind::access_denied},
      {"AllAccessDisabled", Kind::access_denied},
      {"InvalidAccessKeyId", Kind::invalid_credentials},
      {"SignatureDoesNotMatch", Kind::invalid_credentials},
      {"ExpiredToken", Kind::invalid_credentials},
      {"InvalidToken", Kind::invalid_credentials},
      {"TokenRefreshRequired", Kind::invalid_credentials},
      {"InvalidSecurity", Kind::invalid_credentials},
      {"RequestTimeTooSkewed", Kind::clock_skew},
      {"RequestExpired", Kind::clock_skew},
      {"SlowDown", Kind::slow_down},
      {"ServiceUnavailable", Kind::slow_down},
      {"RequestTimeout", Kind::timeout},
      {"InternalError", Kind::server_error},
      {"NoSuchBucket", Kind::no_such_bucket},
      {"NoSuchKey", Kind::no_such_key},
      {"NoSuchVersion", Kind::no_such_version},
      {"NoSuchUpload", Kind::no_such_upload},
      {"ObjectLockConfigurationNotFoundError", Kind::object_lock_not_enabled},
      {"InvalidBucketState", Kind::object_lock_not_enabled},
      {"EntityTooSmall", Kind::entity_too_small},
      {"InvalidPart", Kind::invalid_part},
      {"InvalidPartOrder", Kind::invalid_part},
      {"BadDigest", Kind::bad_digest},
      {"InvalidDigest", Kind::bad_digest},
      {"XAmzContentSHA256Mismatch", Kind::bad_digest},
      {"PreconditionFailed", Kind::precondition_failed},
  };
  if (auto it = k_codes.find(code); it != k_codes.end()) return it->second;
  // Lock headers on a bucket without Object Lock: 400 InvalidRequest (RGW and AWS).
  if (code == "InvalidRequest" && call.lock_requested) return Kind::object_lock_not_enabled;
  if (status == 429 || status == 503) return Kind::slow_down;
  if (status >= 500) return Kind::server_error;
  if (status == 404) return call.key.empty() ? Kind::no_such_bucket : Kind::no_such_key;
  if (status == 403) return Kind::access_denied;
  if (status == 412) return Kind::precondition_failed;
  return Kind::invalid_request;
}

std::string target(const CallContext& call) {
  return call.key.empty() ? "bucket " + call.bucket : call.bucket + "/" + call.key;
}

std::string clock_offset(const http::Response& answer) {
  const auto* date = http::find_header(answer.headers, "date");
  if (!date) return "";
  const auto server = parse_http_date(*date);
  if (!server) return "";
  const auto here =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto diff = (here - *server).count();
  return " This host's clock is " + std::to_string(diff < 0 ? -diff : diff) + " s " +
         (diff < 0 ? "behind" : "ahead of") + " the server's (" + *date + ").";
}

std::string advice(Kind kind, const CallContext& call, const http::Response& answer) {
  switch (kind) {
    case Kind::access_denied:
      return "Check that the access key's policy allows this operation on bucket " + call.bucket +
             " (and its key prefix).";
    case Kind::invalid_credentials:
      return "Check the access key id and secret in the off-site credentials file; temporary "
             "credentials (session token) must be renewed when they expire.";
    case Kind::clock_skew:
      return "S3 refuses requests signed more than 15 minutes off its clock: fix this host's "
             "time synchronisation (timedatectl, chrony)." +
             clock_offset(answer);
    case Kind::slow_down:
      return "The server asks to slow down: lower the bandwidth limit or the parts in flight, "
             "or try again later.";
    case Kind::server_error:
      return "The server failed internally; try again later, or check the provider's status.";
    case Kind::no_such_bucket:
      return "Create bucket " + call.bucket + " at " + call.endpoint + " (with Object Lock when " +
             "lock is on) or fix the bucket name, endpoint and region (" + call.region + ").";
    case Kind::no_such_upload:
      return "The multipart upload was completed, aborted or expired by the server; start a new "
             "one.";
    case Kind::object_lock_not_enabled:
      return "Bucket " + call.bucket +
             " does not have Object Lock enabled. Object Lock is chosen when a bucket is created "
             "(x-amz-bucket-object-lock-enabled): create a bucket with Object Lock (it turns on "
             "versioning), or set the destination's lock to off.";
    case Kind::entity_too_small:
      return "Every part but the last must be at least 5 MiB.";
    case Kind::bad_digest:
      return "The data the server received does not match its checksum (changed in transit or "
             "while being read); nothing was stored.";
    case Kind::invalid_part:
      return "CompleteMultipartUpload named parts the server does not have (or with other "
             "ETags); list the parts (ListParts) and upload the missing ones.";
    default:
      return "";
  }
}

}  // namespace

Error error_from_answer(const CallContext& call, const http::Response& answer) {
  Error out;
  out.http_status = answer.status;
  std::string server_message;
  if (auto doc = xml::parse_error(answer.body)) {
    out.code = doc->code;
    server_message = doc->message;
    out.request_id = doc->request_id;
  }
  if (out.request_id.empty()) {
    if (const auto* id = http::find_header(answer.headers, "x-amz-request-id")) {
      out.request_id = id->substr(0, 128);
    }
  }
  out.kind = kind_from_code(out.code, answer.status, call);
  if (server_message.size() > 512) server_message.resize(512);
  std::string text = "S3 " + call.operation + " on " + target(call) + " at " + call.endpoint +
                     " was refused (HTTP " + std::to_string(answer.status);
  if (!out.code.empty()) text += " " + out.code;
  text += ")";
  if (!server_message.empty()) text += ": " + server_message;
  if (text.back() != '.') text += ".";
  if (answer.status == 301 || answer.status == 307) {
    if (const auto* region = http::find_header(answer.headers, "x-amz-bucket-region")) {
      text += " The bucket is in region " + region->substr(0, 64) +
              ": set that region and its endpoint.";
    }
  }
  if (out.code == "AuthorizationHeaderMalformed") {
    text += " The region in the signature (" + call.region + ") is probably not the bucket's.";
  }
  if (const auto hint = advice(out.kind, call, answer); !hint.empty()) text += " " + hint;
  if (!out.request_id.empty()) text += " (request id " + out.request_id + ")";
  out.message = std::move(text);
  return out;
}

Error error_from_transport(const CallContext& call, const http::Error& error) {
  Error out;
  switch (error.kind) {
    case http::Error::Kind::invalid_request:
      out.kind = Kind::invalid_argument;
      break;
    case http::Error::Kind::transport:
      out.kind = Kind::transport;
      break;
    case http::Error::Kind::tls:
    case http::Error::Kind::pin_mismatch:
      out.kind = Kind::tls;
      break;
    case http::Error::Kind::timeout:
    case http::Error::Kind::stalled:
      out.kind = Kind::timeout;
      break;
    case http::Error::Kind::too_large:
      out.kind = Kind::too_large;
      break;
    case http::Error::Kind::source:
      out.kind = Kind::source;
      break;
    case http::Error::Kind::sink:
      out.kind = Kind::sink;
      break;
  }
  out.message = "S3 " + call.operation + " on " + target(call) + ": " + error.message;
  if (out.kind == Kind::tls) {
    out.message +=
        ". Check the destination's CA file (or the system CA store) and that the endpoint's "
        "host name is in its certificate, or pin the certificate's SHA-256 fingerprint";
  }
  return out;
}

}  // namespace s3
