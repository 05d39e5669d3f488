// proxmox::HttpTransport over the shared HTTPS transport (http/): builds /api2/json URLs and
// form bodies, adds the API token, and turns transport errors into operator messages that name
// the proxmox.* settings to fix.
#include <algorithm>

#include "http/transport.hpp"
#include "proxmox/http_transport.hpp"

namespace proxmox {
namespace {

http::Method to_http(Method method) {
  switch (method) {
    case Method::get:
      return http::Method::get;
    case Method::post:
      return http::Method::post;
    case Method::put:
      return http::Method::put;
    case Method::del:
      return http::Method::del;
  }
  return http::Method::get;
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport(TransportOptions options, std::unique_ptr<http::Transport> transport)
      : m_options(std::move(options)), m_transport(std::move(transport)) {
    m_auth = "PVEAPIToken=" + m_options.token_id + "=" + m_options.token_secret;
  }
  ~CurlTransport() override {
    // Overwrite the copy holding the secret before it is freed.
    std::fill(m_auth.begin(), m_auth.end(), '\0');
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<Response> send(const Request& request) override {
    std::string url = m_options.base_url + "/api2/json";
    for (const auto& segment : request.path) url += "/" + http::escape(segment);
    const std::string encoded = http::encode_params(request.params);
    const bool in_body = request.method == Method::post || request.method == Method::put;
    if (!in_body && !encoded.empty()) url += "?" + encoded;

    http::Request out;
    out.method = to_http(request.method);
    out.url = std::move(url);
    out.headers = {{"Authorization", m_auth}, {"Accept", "application/json"}};
    out.idempotent = request.idempotent;
    http::BytesSource body(encoded);
    if (in_body) {
      out.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
      out.body = &body;
    }
    auto answer = m_transport->send(out);
    if (!answer) return tl::unexpected(describe_failure(answer.error(), request));
    return Response{answer->status, std::move(answer->reason), std::move(answer->body)};
  }

 private:
  Error describe_failure(const http::Error& error, const Request& request) const {
    const std::string what = std::string(to_string(request.method)) + " " + m_options.base_url +
                             "/api2/json" + request.path_string();
    switch (error.kind) {
      case http::Error::Kind::pin_mismatch: {
        const auto expected = normalize_fingerprint(m_options.fingerprint.value_or(""));
        return Error{Error::Kind::tls, 0,
                     "TLS certificate fingerprint mismatch at " + m_options.base_url +
                         ": expected " + expected.value_or("?") +
                         " (proxmox.fingerprint), the server presented " +
                         error.presented_fingerprint +
                         ". Nothing was sent. Run `pvenode cert info` on the node and compare "
                         "the SHA-256 fingerprint of the certificate pveproxy uses "
                         "(pveproxy-ssl.pem if present, else pve-ssl.pem); if the certificate "
                         "was renewed, put its fingerprint into proxmox.fingerprint"};
      }
      case http::Error::Kind::tls:
        return Error{Error::Kind::tls, 0,
                     error.message +
                         ". Check proxmox.ca_file (the cluster CA, /etc/pve/pve-root-ca.pem) "
                         "and that the URL's host name is in the certificate, or pin the "
                         "certificate with proxmox.fingerprint (`pvenode cert info` shows it)"};
      case http::Error::Kind::timeout:
      case http::Error::Kind::stalled:
        return Error{Error::Kind::timeout, 0, error.message};
      case http::Error::Kind::invalid_request:
      case http::Error::Kind::transport:
      case http::Error::Kind::too_large:
      case http::Error::Kind::source:
      case http::Error::Kind::sink:
        break;
    }
    return Error{Error::Kind::transport, 0,
                 error.message.rfind(to_string(request.method), 0) == 0
                     ? error.message
                     : what + " failed: " + error.message};
  }

  TransportOptions m_options;
  std::unique_ptr<http::Transport> m_transport;
  std::string m_auth;
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> make_curl_transport(TransportOptions options) {
  if (options.base_url.rfind("https://", 0) != 0) {
    return make_error(Error::Kind::tls, "proxmox.api_url must start with https:// (got \"" +
                                            options.base_url + "\")");
  }
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  if (options.fingerprint && !normalize_fingerprint(*options.fingerprint)) {
    return make_error(Error::Kind::tls,
                      "proxmox.fingerprint is not a SHA-256 fingerprint (32 colon-separated "
                      "hex bytes); `pvenode cert info` on the node shows the right one");
  }
  if (!options.fingerprint && !options.ca_file) {
    return make_error(Error::Kind::tls,
                      "no way to verify the Proxmox certificate: set proxmox.ca_file (the "
                      "cluster CA, /etc/pve/pve-root-ca.pem) or proxmox.fingerprint");
  }
  http::TransportOptions t;
  t.ca_file = options.ca_file;
  t.fingerprint = options.fingerprint;
  t.connect_timeout = options.connect_timeout;
  t.request_timeout = options.request_timeout;
  t.user_agent = "pve-smokerbak/" SMOKERBAK_VERSION;
  auto transport = http::make_curl_transport(std::move(t));
  if (!transport) {
    if (options.ca_file && transport.error().kind == http::Error::Kind::invalid_request) {
      return make_error(Error::Kind::tls, "cannot read the CA file " + options.ca_file->string() +
                                              " (proxmox.ca_file); the Proxmox cluster CA is "
                                              "/etc/pve/pve-root-ca.pem on every node");
    }
    return make_error(Error::Kind::transport, transport.error().message);
  }
  return std::unique_ptr<HttpTransport>(
      std::make_unique<CurlTransport>(std::move(options), std::move(*transport)));
}

}  // namespace proxmox
