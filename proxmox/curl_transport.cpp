// The only file of the project that talks to libcurl (and OpenSSL for fingerprint pinning).
//
// Fingerprint pinning follows ../shared/reference/transport-perf.md §5.1: VERIFYPEER=0 makes
// curl install SSL_VERIFY_NONE, under which a verify callback cannot abort the handshake (a
// wrong certificate would still receive the request and its token). So the SSL_CTX callback
// itself switches the context to SSL_VERIFY_PEER with our callback, which accepts the chain
// above the leaf and decides at depth 0 by the leaf's SHA-256 DER fingerprint. A mismatch
// fails the handshake (CURLE_PEER_FAILED_VERIFICATION) before any request byte is sent.
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>

#include <curl/curl.h>

#include "proxmox/http_transport.hpp"

namespace proxmox {
namespace {

// Per-handshake state reachable from the OpenSSL verify callback via SSL_CTX ex data.
struct PinState {
  std::string expected;  // uppercase colon hex
  std::string actual;    // what the server presented (set at depth 0)
  bool mismatch = false;
};

int pin_ex_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

std::string colon_hex(const unsigned char* data, unsigned int len) {
  static const char* k_digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out += ':';
    out += k_digits[data[i] >> 4];
    out += k_digits[data[i] & 0xF];
  }
  return out;
}

int verify_pinned_leaf(int /*preverify_ok*/, X509_STORE_CTX* store) {
  // Chain certificates (depth > 0) are not judged: the pin on the leaf decides, as in
  // PVE::APIClient::LWP.
  if (X509_STORE_CTX_get_error_depth(store) > 0) return 1;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* state =
      ssl ? static_cast<PinState*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), pin_ex_index()))
          : nullptr;
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (!state || !cert) return 0;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return 0;
  state->actual = colon_hex(md, len);
  state->mismatch = state->actual != state->expected;
  return state->mismatch ? 0 : 1;
}

CURLcode install_pin(CURL* /*curl*/, void* ssl_ctx, void* user) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  SSL_CTX_set_ex_data(ctx, pin_ex_index(), user);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_pinned_leaf);
  return CURLE_OK;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Keeps the reason phrase of the last status line (after redirects/100-continue).
size_t on_header(char* data, size_t size, size_t count, void* user) {
  const std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    auto* reason = static_cast<std::string*>(user);
    reason->clear();
    const auto first = line.find(' ');
    const auto second = first == std::string::npos ? first : line.find(' ', first + 1);
    if (second != std::string::npos) {
      *reason = line.substr(second + 1);
      while (!reason->empty() && (reason->back() == '\r' || reason->back() == '\n')) {
        reason->pop_back();
      }
    }
  }
  return size * count;
}

std::string escape(const std::string& text) {
  char* out = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string result = out ? out : "";
  curl_free(out);
  return result;
}

std::string encode_params(const Params& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += escape(key) + "=" + escape(value);
  }
  return out;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(TransportOptions options) : m_options(std::move(options)) {}
  ~CurlTransport() override {
    if (m_headers) curl_slist_free_all(m_headers);
    if (m_curl) curl_easy_cleanup(m_curl);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<void> init() {
    m_curl = curl_easy_init();
    if (!m_curl) return make_error(Error::Kind::transport, "libcurl could not create a handle");
    std::string auth =
        "Authorization: PVEAPIToken=" + m_options.token_id + "=" + m_options.token_secret;
    m_headers = curl_slist_append(m_headers, auth.c_str());
    m_headers = curl_slist_append(m_headers, "Accept: application/json");
    // Overwrite the local copy holding the secret before it goes out of scope.
    std::fill(auth.begin(), auth.end(), '\0');

    curl_easy_setopt(m_curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_curl, CURLOPT_VERBOSE, 0L);
    curl_easy_setopt(m_curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(m_curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(m_curl, CURLOPT_HTTPHEADER, m_headers);
    curl_easy_setopt(m_curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(m_options.connect_timeout.count()));
    curl_easy_setopt(m_curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(m_options.request_timeout.count()));
    curl_easy_setopt(m_curl, CURLOPT_ERRORBUFFER, m_error_buffer);
    curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, &m_body);
    curl_easy_setopt(m_curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(m_curl, CURLOPT_HEADERDATA, &m_reason);
    curl_easy_setopt(m_curl, CURLOPT_USERAGENT, "pve-smokerbak/" SMOKERBAK_VERSION);

    if (m_options.fingerprint) {
      auto normalized = normalize_fingerprint(*m_options.fingerprint);
      if (!normalized) {
        return make_error(Error::Kind::tls,
                          "proxmox.fingerprint is not a SHA-256 fingerprint (32 colon-separated "
                          "hex bytes); `pvenode cert info` on the node shows the right one");
      }
      m_pin.expected = *normalized;
      curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYHOST, 0L);
      curl_easy_setopt(m_curl, CURLOPT_SSL_CTX_FUNCTION, install_pin);
      curl_easy_setopt(m_curl, CURLOPT_SSL_CTX_DATA, &m_pin);
    } else {
      if (!m_options.ca_file) {
        return make_error(Error::Kind::tls,
                          "no way to verify the Proxmox certificate: set proxmox.ca_file (the "
                          "cluster CA, /etc/pve/pve-root-ca.pem) or proxmox.fingerprint");
      }
      std::ifstream probe(*m_options.ca_file);
      if (!probe) {
        return make_error(Error::Kind::tls, "cannot read the CA file " +
                                                m_options.ca_file->string() +
                                                " (proxmox.ca_file); the Proxmox cluster CA is "
                                                "/etc/pve/pve-root-ca.pem on every node");
      }
      curl_easy_setopt(m_curl, CURLOPT_CAINFO, m_options.ca_file->c_str());
      curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    return {};
  }

  Result<Response> send(const Request& request) override {
    std::string url = m_options.base_url + "/api2/json";
    for (const auto& segment : request.path) url += "/" + escape(segment);
    const std::string encoded = encode_params(request.params);
    const bool in_body = request.method == Method::post || request.method == Method::put;
    if (!in_body && !encoded.empty()) url += "?" + encoded;

    m_body.clear();
    m_reason.clear();
    m_error_buffer[0] = '\0';
    m_pin.mismatch = false;
    m_pin.actual.clear();
    curl_easy_setopt(m_curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, nullptr);
    // libcurl silently sends a request again when a reused connection dies before any answer
    // byte arrives. The server may have acted on the first copy (a vzdump POST started its
    // task), so a request that must not be repeated gets a connection of its own; the client
    // decides about repeating it (Client::start_vzdump). Costs one TLS handshake per such
    // request.
    curl_easy_setopt(m_curl, CURLOPT_FRESH_CONNECT, request.idempotent ? 0L : 1L);
    switch (request.method) {
      case Method::get:
        curl_easy_setopt(m_curl, CURLOPT_HTTPGET, 1L);
        break;
      case Method::post:
      case Method::put:
        curl_easy_setopt(m_curl, CURLOPT_POST, 1L);
        curl_easy_setopt(m_curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(encoded.size()));
        curl_easy_setopt(m_curl, CURLOPT_COPYPOSTFIELDS, encoded.c_str());
        if (request.method == Method::put) {
          curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, "PUT");
        }
        break;
      case Method::del:
        curl_easy_setopt(m_curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
    }
    const CURLcode rc = curl_easy_perform(m_curl);
    if (rc != CURLE_OK) return tl::unexpected(describe_failure(rc, request));
    long status = 0;
    curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &status);
    return Response{static_cast<int>(status), m_reason, std::move(m_body)};
  }

 private:
  Error describe_failure(CURLcode rc, const Request& request) const {
    const std::string what = std::string(to_string(request.method)) + " " + m_options.base_url +
                             "/api2/json" + request.path_string();
    const std::string detail = m_error_buffer[0] ? m_error_buffer : curl_easy_strerror(rc);
    if (m_pin.mismatch) {
      return Error{Error::Kind::tls, 0,
                   "TLS certificate fingerprint mismatch at " + m_options.base_url + ": expected " +
                       m_pin.expected +
                       " (proxmox.fingerprint), the server "
                       "presented " +
                       m_pin.actual +
                       ". Nothing was sent. Run `pvenode cert info` on the node and compare "
                       "the SHA-256 fingerprint of the certificate pveproxy uses "
                       "(pveproxy-ssl.pem if present, else pve-ssl.pem); if the certificate "
                       "was renewed, put its fingerprint into proxmox.fingerprint"};
    }
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT:
        return Error{Error::Kind::timeout, 0, what + " timed out: " + detail};
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return Error{Error::Kind::tls, 0,
                     "the certificate of " + m_options.base_url + " is not trusted: " + detail +
                         ". Check proxmox.ca_file (the cluster CA, /etc/pve/pve-root-ca.pem) "
                         "and that the URL's host name is in the certificate, or pin the "
                         "certificate with proxmox.fingerprint (`pvenode cert info` shows it)"};
      case CURLE_SSL_CONNECT_ERROR:
        return Error{Error::Kind::tls, 0,
                     "TLS handshake with " + m_options.base_url + " failed: " + detail};
      default:
        return Error{Error::Kind::transport, 0, what + " failed: " + detail};
    }
  }

  TransportOptions m_options;
  CURL* m_curl = nullptr;
  curl_slist* m_headers = nullptr;
  PinState m_pin;
  std::string m_body;
  std::string m_reason;
  char m_error_buffer[CURL_ERROR_SIZE] = {};
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> make_curl_transport(TransportOptions options) {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    // With CURLOPT_NOSIGNAL curl no longer shields us from SIGPIPE on a dead peer.
    std::signal(SIGPIPE, SIG_IGN);
  });
  if (options.base_url.rfind("https://", 0) != 0) {
    return make_error(Error::Kind::tls, "proxmox.api_url must start with https:// (got \"" +
                                            options.base_url + "\")");
  }
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  auto transport = std::make_unique<CurlTransport>(std::move(options));
  if (auto ok = transport->init(); !ok) return tl::unexpected(ok.error());
  return std::unique_ptr<HttpTransport>(std::move(transport));
}

}  // namespace proxmox
