#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/body.hpp"
#include "http/error.hpp"

// A generic HTTPS transport (libcurl underneath; no libcurl/OpenSSL types here) shared by the
// Proxmox client and the S3 client: one request in, one response (any status) or a typed
// transport error out. Certificates are always verified: against a CA file (or the system
// store) including the host name, or by pinning the leaf certificate's SHA-256 fingerprint.
namespace http {

enum class Method { get, head, put, post, del };

const char* to_string(Method method);

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// The value of the first header called `name` (ASCII case-insensitive), or nullptr.
const std::string* find_header(const Headers& headers, std::string_view name);

// AWS Signature Version 4, computed by libcurl (CURLOPT_AWS_SIGV4) over the method, the URL's
// path and query exactly as written, and every request header. The caller must
//  - set `x-amz-content-sha256` (the body's hex SHA-256, or UNSIGNED-PAYLOAD): libcurl does
//    not compute it for streamed bodies (send() refuses a signed request without it);
//  - write the query in canonical form: keys sorted, every key with `=` (`?uploads=`).
// An `X-Amz-Date` header, when given, is signed as the request time instead of the clock.
struct SigV4 {
  std::string region;
  std::string service = "s3";
  std::string access_key;
  std::string secret_key;  // never logged, never in an error message
};

inline constexpr std::uint64_t k_default_max_body = 8ull << 20;

struct Request {
  Method method = Method::get;
  // Absolute URL; path segments and query already escaped (escape()); sent as written.
  std::string url;
  Headers headers;
  // PUT/POST body, streamed; nullptr sends an empty body. Must outlive send().
  BodySource* body = nullptr;
  // Receives the body of a 2xx answer; nullptr collects it into Response::body. Bodies of other
  // answers (error documents) always go to Response::body.
  BodySink* sink = nullptr;
  // Hard cap on the answer's body (Content-Length or counted), sink or not: beyond it the
  // transfer stops with Error::Kind::too_large before the bytes are kept.
  std::uint64_t max_body_bytes = k_default_max_body;
  std::optional<SigV4> sigv4;
  // false: a connection of its own. libcurl silently re-sends a request when a reused
  // connection dies before any answer byte; a server may have acted on the first copy.
  bool idempotent = true;
  // Total time for this request; zero takes TransportOptions::request_timeout. Long
  // transfers rely on the low-speed limit instead (set a generous total here).
  std::chrono::milliseconds timeout{0};
};

struct Response {
  int status = 0;
  std::string reason;            // the reason phrase of the final status line
  Headers headers;               // of the final answer (after any 100 Continue), in order
  std::string body;              // non-2xx bodies, and 2xx bodies when no sink was given
  std::uint64_t body_bytes = 0;  // bytes received, sink or not
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one request. Not thread-safe: one Transport per thread.
  virtual Result<Response> send(const Request& request) = 0;
};

struct TransportOptions {
  // Trust. `fingerprint` set: the leaf certificate's SHA-256 fingerprint (colon hex, any case)
  // is pinned and the chain/host name is not judged. Otherwise the chain is verified against
  // `ca_file` (or the system CA store when unset) including the host name. There is no way to
  // switch verification off.
  std::optional<std::filesystem::path> ca_file;
  std::optional<std::string> fingerprint;
  // Plain http:// only to 127.0.0.1 / [::1] and only when set (test servers and fault proxies).
  bool allow_plain_loopback = false;
  std::chrono::milliseconds connect_timeout{10'000};  // TCP + TLS handshake
  std::chrono::milliseconds request_timeout{60'000};  // default total per request; 0 = none
  // A transfer slower than this many bytes per second for `low_speed_time` fails as stalled.
  // libcurl averages the speed, so a short stall after a fast burst takes a few seconds more.
  std::uint64_t low_speed_bytes_per_second = 1024;
  std::chrono::seconds low_speed_time{30};
  std::uint64_t max_send_bytes_per_second = 0;  // upload bandwidth limit; 0 = none
  std::size_t max_header_bytes = 64 * 1024;     // all response header lines together
  std::string user_agent = "pve-smokerbak";
};

// One libcurl easy handle (one reused connection) for the life of the transport. Checks the
// options (fingerprint syntax, CA file readable) and fails with invalid_request naming the
// problem.
Result<std::unique_ptr<Transport>> make_curl_transport(TransportOptions options);

// Uppercase colon-hex ("AB:CD:..."), accepting lowercase and plain hex; nullopt unless 32 bytes.
std::optional<std::string> normalize_fingerprint(std::string_view text);

// Percent-encodes every byte except the RFC 3986 unreserved characters A-Z a-z 0-9 - . _ ~
// (uppercase hex), as S3's canonical request and PVE's router expect for one path segment or
// one query key/value.
std::string escape(std::string_view text);

// "k1=v1&k2=v2" with escape() on every key and value, in the given order.
std::string encode_params(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace http
