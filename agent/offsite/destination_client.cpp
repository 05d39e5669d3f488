#include "agent/offsite/destination_client.hpp"

#include "agent/config/config_loader.hpp"
#include "agent/core/log.hpp"

namespace agent::offsite {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

tl::expected<s3::Credentials, std::string> parse_credentials(std::string_view text) {
  s3::Credentials c;
  int line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == '[') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return tl::unexpected("line " + std::to_string(line_no) +
                            " is not KEY = VALUE (expected access_key_id, secret_access_key, "
                            "session_token)");
    }
    std::string key(trim(line.substr(0, eq)));
    const std::string_view value = trim(line.substr(eq + 1));
    if (key.rfind("aws_", 0) == 0) key = key.substr(4);
    if (key == "access_key_id") {
      c.access_key = std::string(value);
    } else if (key == "secret_access_key") {
      c.secret_key = std::string(value);
    } else if (key == "session_token") {
      c.session_token = std::string(value);
    } else {
      return tl::unexpected("line " + std::to_string(line_no) + ": unknown key \"" +
                            key.substr(0, 40) +
                            "\" (expected access_key_id, secret_access_key, session_token)");
    }
  }
  if (c.access_key.empty() || c.secret_key.empty()) {
    return tl::unexpected(std::string(
        "the credentials file needs both access_key_id = ... and secret_access_key = ... lines"));
  }
  return c;
}

s3::Result<std::unique_ptr<s3::Client>> make_destination_client(const OffsiteDestination& d) {
  auto text = read_secret(SecretRef{d.credentials_path, d.credentials_from_credentials}, true);
  if (!text) {
    return s3::make_error(s3::Error::Kind::invalid_credentials,
                          "cannot read the S3 credentials: " + text.error());
  }
  auto credentials = parse_credentials(*text);
  if (!credentials) {
    return s3::make_error(
        s3::Error::Kind::invalid_credentials,
        "unusable S3 credentials file " + d.credentials_path.string() + ": " + credentials.error());
  }
  register_secret(credentials->secret_key);  // logs redact it
  if (!credentials->session_token.empty()) register_secret(credentials->session_token);
  s3::ClientOptions o;
  o.endpoint = d.endpoint;
  o.region = d.region;
  o.bucket = d.bucket;
  o.addressing = d.virtual_host ? s3::AddressingStyle::virtual_host : s3::AddressingStyle::path;
  o.credentials = std::move(*credentials);
  o.ca_file = d.ca_file;
  o.fingerprint = d.fingerprint;
  o.allow_plain_loopback = d.plain_loopback;
  o.max_send_bytes_per_second = d.max_upload_bytes_per_second;
  return s3::Client::create(std::move(o));
}

TierError::Kind tier_error_kind(const s3::Error& error) {
  using K = s3::Error::Kind;
  switch (error.kind) {
    case K::access_denied:
    case K::invalid_credentials:
    case K::tls:
      return TierError::Kind::access;
    case K::clock_skew:
    case K::source:
    case K::sink:
      return TierError::Kind::local_io;
    case K::transport:
    case K::timeout:
    case K::slow_down:
    case K::server_error:
      return TierError::Kind::unreachable;
    default:
      return TierError::Kind::refused;
  }
}

TierError destination_error(const OffsiteDestination& d, const s3::Error& error,
                            const std::string& doing) {
  std::string message = "off-site destination " + d.name + " (bucket " + d.bucket + " at " +
                        d.endpoint + ")" + (doing.empty() ? "" : ": " + doing) + ": " +
                        error.message;
  // (S3 answers' messages already name it; transport failures have none)
  if (!error.request_id.empty() && message.find(error.request_id) == std::string::npos) {
    message += " [request id " + error.request_id + "]";
  }
  return TierError{tier_error_kind(error), std::move(message)};
}

}  // namespace agent::offsite
