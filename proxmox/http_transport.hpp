#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proxmox/error.hpp"

// The HTTP seam of the client: one request in, one response (any status) or a transport
// error out. The real implementation is libcurl (make_curl_transport); tests use a fake.
namespace proxmox {

enum class Method { get, post, put, del };

const char* to_string(Method method);

using Params = std::vector<std::pair<std::string, std::string>>;

struct Request {
  Method method = Method::get;
  // Path below /api2/json as raw segments, e.g. {"nodes", "pve1", "storage", "local",
  // "content", "local:backup/vzdump-..."}. The transport percent-escapes each segment, so a
  // volid's ':' and '/' stay inside its segment.
  std::vector<std::string> path;
  // GET/DELETE: query string; POST/PUT: application/x-www-form-urlencoded body. The transport
  // escapes every key and value.
  Params params;
  // Whether the request may be repeated safely (GETs; never a POST that starts a task).
  bool idempotent = true;

  std::string path_string() const;  // "/nodes/pve1/..." unescaped, for messages and tests
};

struct Response {
  int status = 0;
  std::string reason;  // HTTP reason phrase; PVE puts the first error line here
  std::string body;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request, adding the Authorization header. A non-2xx answer is a Response, not an
  // error; errors are for requests that got no HTTP answer (transport, tls, timeout).
  virtual Result<Response> send(const Request& request) = 0;
};

// How the real transport reaches and trusts the server.
struct TransportOptions {
  std::string base_url;  // "https://127.0.0.1:8006"; "/api2/json" is appended
  // Trust: when `fingerprint` is set, the leaf certificate's SHA-256 fingerprint (colon hex,
  // any case, as `pvenode cert info` prints it) is pinned and the chain/host name is not
  // checked (like Proxmox's own clients). Otherwise the chain is verified against `ca_file`
  // (required then) including the host name. Verification cannot be switched off.
  std::optional<std::filesystem::path> ca_file;
  std::optional<std::string> fingerprint;
  std::string token_id;      // "user@realm!name"
  std::string token_secret;  // never logged, never in an error message
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};
};

// One libcurl easy handle (one reused connection) for the life of the transport. Checks the
// options (URL scheme, fingerprint syntax, CA file readable) and fails with a message naming
// the problem.
Result<std::unique_ptr<HttpTransport>> make_curl_transport(TransportOptions options);

// Normalises a fingerprint to uppercase colon-hex ("AB:CD:..."), accepting lowercase and
// plain hex; nullopt unless it is 32 bytes.
std::optional<std::string> normalize_fingerprint(const std::string& text);

}  // namespace proxmox
