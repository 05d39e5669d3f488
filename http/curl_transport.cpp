// The only file of the project that talks to libcurl (and OpenSSL for fingerprint pinning).
//
// Fingerprint pinning (docs/transports.md section 1.1): VERIFYPEER=0 makes
// curl install SSL_VERIFY_NONE, under which a verify callback cannot abort the handshake (a
// wrong certificate would still receive the request and its credentials). So the SSL_CTX
// callback itself switches the context to SSL_VERIFY_PEER with our callback, which accepts the
// chain above the leaf and decides at depth 0 by the leaf's SHA-256 DER fingerprint. A
// mismatch fails the handshake before any request byte is sent.
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>

#include <curl/curl.h>

#include "http/transport.hpp"

namespace http {
namespace {

constexpr std::uint64_t k_max_error_body = 1ull << 20;

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

bool is_2xx(long status) { return status >= 200 && status < 300; }

// What one request's callbacks share.
struct Exchange {
  CURL* curl = nullptr;
  const Request* request = nullptr;
  std::size_t max_header_bytes = 0;
  Response response;
  std::size_t header_bytes = 0;
  std::uint64_t sent = 0;
  enum class Abort { none, body_too_large, headers_too_large, source, source_short, sink };
  Abort abort = Abort::none;
  std::string abort_detail;

  long status() const {
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }
  std::uint64_t body_cap() const {
    return is_2xx(status()) ? request->max_body_bytes
                            : std::min(request->max_body_bytes, k_max_error_body);
  }
};

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * count;
  ex->header_bytes += len;
  if (ex->header_bytes > ex->max_header_bytes) {
    ex->abort = Exchange::Abort::headers_too_large;
    return 0;
  }
  const std::string_view line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after 100 Continue): only the final answer's headers count.
    ex->response.headers.clear();
    ex->response.reason.clear();
    const auto first = line.find(' ');
    const auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second != std::string_view::npos) ex->response.reason = trim(line.substr(second + 1));
    return len;
  }
  if (line == "\r\n" || line == "\n") {
    // End of a header block: refuse an announced body over the cap before it arrives.
    if (const auto* cl = find_header(ex->response.headers, "content-length")) {
      char* end = nullptr;
      const unsigned long long announced = std::strtoull(cl->c_str(), &end, 10);
      if (ex->request->method != Method::head && end != cl->c_str() && announced > ex->body_cap()) {
        ex->abort = Exchange::Abort::body_too_large;
        ex->abort_detail = "the server announced " + std::to_string(announced) + " bytes";
        return 0;
      }
    }
    return len;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    ex->response.headers.push_back({trim(line.substr(0, colon)), trim(line.substr(colon + 1))});
  }
  return len;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * count;
  if (ex->response.body_bytes + len > ex->body_cap()) {
    ex->abort = Exchange::Abort::body_too_large;
    return 0;
  }
  ex->response.body_bytes += len;
  if (ex->request->sink && is_2xx(ex->status())) {
    if (auto ok = ex->request->sink->write(data, len); !ok) {
      ex->abort = Exchange::Abort::sink;
      ex->abort_detail = ok.error();
      return 0;
    }
    return len;
  }
  ex->response.body.append(data, len);
  return len;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  BodySource* source = ex->request->body;
  auto n = source->read(buffer, size * count);
  if (!n) {
    ex->abort = Exchange::Abort::source;
    ex->abort_detail = n.error();
    return CURL_READFUNC_ABORT;
  }
  ex->sent += *n;
  if (ex->sent > source->size() || (*n == 0 && ex->sent < source->size())) {
    ex->abort = Exchange::Abort::source_short;
    ex->abort_detail = "the body source gave " + std::to_string(ex->sent) + " bytes, announced " +
                       std::to_string(source->size());
    return CURL_READFUNC_ABORT;
  }
  return *n;
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto* ex = static_cast<Exchange*>(user);
  if (offset != 0 || origin != SEEK_SET || !ex->request->body || !ex->request->body->rewind()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  ex->sent = 0;
  return CURL_SEEKFUNC_OK;
}

bool valid_header_text(const std::string& text) {
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

bool valid_scope_part(const std::string& text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

class SlistGuard {
 public:
  ~SlistGuard() {
    if (list) curl_slist_free_all(list);
  }
  curl_slist* list = nullptr;
};

class CurlUrl {
 public:
  CurlUrl() : m_url(curl_url()) {}
  ~CurlUrl() { curl_url_cleanup(m_url); }
  CurlUrl(const CurlUrl&) = delete;
  CurlUrl& operator=(const CurlUrl&) = delete;
  bool parse(const std::string& text) {
    return m_url && curl_url_set(m_url, CURLUPART_URL, text.c_str(), 0) == CURLUE_OK;
  }
  std::string part(CURLUPart which) const {
    char* out = nullptr;
    if (curl_url_get(m_url, which, &out, 0) != CURLUE_OK) return {};
    std::string result = out ? out : "";
    curl_free(out);
    return result;
  }

 private:
  CURLU* m_url;
};

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportOptions options) : m_options(std::move(options)) {}
  ~CurlTransport() override {
    if (m_curl) curl_easy_cleanup(m_curl);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<void> init() {
    m_curl = curl_easy_init();
    if (!m_curl) return make_error(Error::Kind::transport, "libcurl could not create a handle");
    curl_easy_setopt(m_curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_curl, CURLOPT_VERBOSE, 0L);  // verbose output would carry credentials
    curl_easy_setopt(m_curl, CURLOPT_PROTOCOLS_STR,
                     m_options.allow_plain_loopback ? "http,https" : "https");
    curl_easy_setopt(m_curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(m_curl, CURLOPT_PATH_AS_IS, 1L);  // "a/../b" is an object key, not a path
    curl_easy_setopt(m_curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(m_curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(m_options.connect_timeout.count()));
    curl_easy_setopt(m_curl, CURLOPT_LOW_SPEED_LIMIT,
                     static_cast<long>(m_options.low_speed_bytes_per_second));
    curl_easy_setopt(m_curl, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(m_options.low_speed_time.count()));
    curl_easy_setopt(m_curl, CURLOPT_MAX_SEND_SPEED_LARGE,
                     static_cast<curl_off_t>(m_options.max_send_bytes_per_second));
    curl_easy_setopt(m_curl, CURLOPT_ERRORBUFFER, m_error_buffer);
    curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(m_curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(m_curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(m_curl, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(m_curl, CURLOPT_USERAGENT, m_options.user_agent.c_str());

    if (m_options.fingerprint) {
      auto normalized = normalize_fingerprint(*m_options.fingerprint);
      if (!normalized) {
        return make_error(Error::Kind::invalid_request,
                          "the certificate fingerprint is not a SHA-256 fingerprint (32 "
                          "colon-separated hex bytes, as `openssl x509 -noout -fingerprint "
                          "-sha256` prints it)");
      }
      m_pin.expected = *normalized;
      curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYHOST, 0L);
      curl_easy_setopt(m_curl, CURLOPT_SSL_CTX_FUNCTION, install_pin);
      curl_easy_setopt(m_curl, CURLOPT_SSL_CTX_DATA, &m_pin);
    } else {
      if (m_options.ca_file) {
        std::ifstream probe(*m_options.ca_file);
        if (!probe) {
          return make_error(Error::Kind::invalid_request,
                            "cannot read the CA file " + m_options.ca_file->string());
        }
        curl_easy_setopt(m_curl, CURLOPT_CAINFO, m_options.ca_file->c_str());
      }
      curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    return {};
  }

  Result<Response> send(const Request& request) override {
    auto checked = check(request);
    if (!checked) return tl::unexpected(checked.error());

    SlistGuard headers;
    for (const auto& h : request.headers) {
      const std::string line = h.name + ": " + h.value;
      headers.list = curl_slist_append(headers.list, line.c_str());
    }
    Exchange ex;
    ex.curl = m_curl;
    ex.request = &request;
    ex.max_header_bytes = m_options.max_header_bytes;
    m_error_buffer[0] = '\0';
    m_pin.mismatch = false;
    m_pin.actual.clear();

    curl_easy_setopt(m_curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(m_curl, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(m_curl, CURLOPT_HEADERDATA, &ex);
    curl_easy_setopt(m_curl, CURLOPT_READDATA, &ex);
    curl_easy_setopt(m_curl, CURLOPT_SEEKDATA, &ex);
    const auto timeout = request.timeout.count() > 0 ? request.timeout : m_options.request_timeout;
    curl_easy_setopt(m_curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(m_curl, CURLOPT_FRESH_CONNECT, request.idempotent ? 0L : 1L);
    set_method(request);
    set_signing(request);

    const auto started = std::chrono::steady_clock::now();
    const CURLcode rc = curl_easy_perform(m_curl);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    // Drop references to this call's state before it goes out of scope.
    curl_easy_setopt(m_curl, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(m_curl, CURLOPT_POSTFIELDS, nullptr);
    if (rc != CURLE_OK) return tl::unexpected(describe_failure(rc, request, ex, timeout, elapsed));
    ex.response.status = static_cast<int>(ex.status());
    return std::move(ex.response);
  }

 private:
  Result<void> check(const Request& request) const {
    CurlUrl url;
    if (!url.parse(request.url)) {
      return make_error(Error::Kind::invalid_request, "not a valid URL: " + safe_url(request));
    }
    const std::string scheme = url.part(CURLUPART_SCHEME);
    const std::string host = url.part(CURLUPART_HOST);
    const bool loopback = host == "127.0.0.1" || host == "[::1]";
    if (scheme != "https" && !(scheme == "http" && loopback && m_options.allow_plain_loopback)) {
      return make_error(Error::Kind::invalid_request,
                        "only https:// URLs are allowed (got " + safe_url(request) + ")");
    }
    for (const auto& h : request.headers) {
      if (h.name.empty() || h.value.empty() || !valid_header_text(h.name) ||
          !valid_header_text(h.value) || h.name.find(':') != std::string::npos) {
        return make_error(Error::Kind::invalid_request,
                          "request header \"" + (valid_header_text(h.name) ? h.name : "?") +
                              "\" has an empty or invalid name or value");
      }
    }
    if (request.body && request.method != Method::put && request.method != Method::post) {
      return make_error(Error::Kind::invalid_request,
                        std::string("a request body is only sent with PUT or POST, not ") +
                            to_string(request.method));
    }
    if (request.sigv4) {
      if (!find_header(request.headers, "x-amz-content-sha256")) {
        return make_error(Error::Kind::invalid_request,
                          "a SigV4-signed request needs an x-amz-content-sha256 header");
      }
      if (!valid_scope_part(request.sigv4->region) || !valid_scope_part(request.sigv4->service)) {
        return make_error(Error::Kind::invalid_request,
                          "the SigV4 region and service must be letters, digits, '-' or '_' "
                          "(region \"" +
                              request.sigv4->region + "\")");
      }
    }
    return {};
  }

  void set_method(const Request& request) {
    curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, nullptr);
    curl_easy_setopt(m_curl, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(m_curl, CURLOPT_HTTPGET, 1L);
    switch (request.method) {
      case Method::get:
        break;
      case Method::head:
        curl_easy_setopt(m_curl, CURLOPT_NOBODY, 1L);
        break;
      case Method::del:
        curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
      case Method::put:
      case Method::post:
        // Both as a POST with a streamed body (libcurl sends Expect: 100-continue only above
        // 1 MiB, so a refusal costs no body), PUT named by CUSTOMREQUEST (signed as PUT).
        curl_easy_setopt(m_curl, CURLOPT_POST, 1L);
        if (request.body) {
          curl_easy_setopt(m_curl, CURLOPT_POSTFIELDS, nullptr);
          curl_easy_setopt(m_curl, CURLOPT_POSTFIELDSIZE_LARGE,
                           static_cast<curl_off_t>(request.body->size()));
        } else {
          curl_easy_setopt(m_curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
          curl_easy_setopt(m_curl, CURLOPT_POSTFIELDS, "");
        }
        if (request.method == Method::put) curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, "PUT");
        break;
    }
  }

  void set_signing(const Request& request) {
    if (!request.sigv4) {
      curl_easy_setopt(m_curl, CURLOPT_AWS_SIGV4, nullptr);
      curl_easy_setopt(m_curl, CURLOPT_USERNAME, nullptr);
      curl_easy_setopt(m_curl, CURLOPT_PASSWORD, nullptr);
      curl_easy_setopt(m_curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_NONE));
      return;
    }
    const std::string scope = "aws:amz:" + request.sigv4->region + ":" + request.sigv4->service;
    curl_easy_setopt(m_curl, CURLOPT_AWS_SIGV4, scope.c_str());  // libcurl copies strings
    curl_easy_setopt(m_curl, CURLOPT_USERNAME, request.sigv4->access_key.c_str());
    curl_easy_setopt(m_curl, CURLOPT_PASSWORD, request.sigv4->secret_key.c_str());
  }

  // The URL without its query (which may carry upload ids or version ids but nothing secret,
  // kept short for messages).
  static std::string safe_url(const Request& request) {
    return request.url.substr(0, request.url.find('?'));
  }

  Error describe_failure(CURLcode rc, const Request& request, const Exchange& ex,
                         std::chrono::milliseconds timeout,
                         std::chrono::milliseconds elapsed) const {
    const std::string what = std::string(to_string(request.method)) + " " + safe_url(request);
    const std::string detail = m_error_buffer[0] ? m_error_buffer : curl_easy_strerror(rc);
    switch (ex.abort) {
      case Exchange::Abort::body_too_large:
        return Error{Error::Kind::too_large,
                     "the answer to " + what + " is larger than the " +
                         std::to_string(ex.body_cap()) + " bytes allowed" +
                         (ex.abort_detail.empty() ? "" : " (" + ex.abort_detail + ")") +
                         "; the transfer was stopped",
                     {}};
      case Exchange::Abort::headers_too_large:
        return Error{Error::Kind::too_large,
                     "the headers of the answer to " + what + " exceed " +
                         std::to_string(m_options.max_header_bytes) + " bytes",
                     {}};
      case Exchange::Abort::source:
      case Exchange::Abort::source_short:
        return Error{Error::Kind::source,
                     "reading the body for " + what + " failed: " + ex.abort_detail,
                     {}};
      case Exchange::Abort::sink:
        return Error{
            Error::Kind::sink, "storing the answer to " + what + " failed: " + ex.abort_detail, {}};
      case Exchange::Abort::none:
        break;
    }
    if (m_pin.mismatch) {
      return Error{Error::Kind::pin_mismatch,
                   "TLS certificate fingerprint mismatch at " + safe_url(request) + ": expected " +
                       m_pin.expected + ", the server presented " + m_pin.actual +
                       ". Nothing was sent",
                   m_pin.actual};
    }
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT: {
        double pretransfer = 0;
        curl_easy_getinfo(m_curl, CURLINFO_PRETRANSFER_TIME, &pretransfer);
        const bool total_hit = timeout.count() > 0 && elapsed >= timeout;
        if (!total_hit && pretransfer > 0 && m_options.low_speed_bytes_per_second > 0) {
          return Error{Error::Kind::stalled,
                       what + " stalled: less than " +
                           std::to_string(m_options.low_speed_bytes_per_second) + " bytes/s for " +
                           std::to_string(m_options.low_speed_time.count()) + " s (" + detail + ")",
                       {}};
        }
        return Error{Error::Kind::timeout, what + " timed out: " + detail, {}};
      }
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_CERTPROBLEM:
        return Error{Error::Kind::tls,
                     "the certificate of " + safe_url(request) + " is not trusted: " + detail,
                     {}};
      case CURLE_SSL_CONNECT_ERROR: {
        // A socket error in the handshake (reset, broken pipe: a link or middlebox dying) is a
        // network failure, worth a retry, not a trust problem to send the operator after.
        long os_errno = 0;
        curl_easy_getinfo(m_curl, CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno != 0) {
          return Error{Error::Kind::transport,
                       "the connection to " + safe_url(request) +
                           " was lost during the TLS handshake: " + detail,
                       {}};
        }
        return Error{
            Error::Kind::tls, "TLS handshake with " + safe_url(request) + " failed: " + detail, {}};
      }
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return Error{Error::Kind::invalid_request, what + ": " + detail, {}};
      default:
        return Error{Error::Kind::transport, what + " failed: " + detail, {}};
    }
  }

  TransportOptions m_options;
  CURL* m_curl = nullptr;
  PinState m_pin;
  char m_error_buffer[CURL_ERROR_SIZE] = {};
};

}  // namespace

Result<std::unique_ptr<Transport>> make_curl_transport(TransportOptions options) {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    // With CURLOPT_NOSIGNAL curl no longer shields us from SIGPIPE on a dead peer.
    std::signal(SIGPIPE, SIG_IGN);
  });
  auto transport = std::make_unique<CurlTransport>(std::move(options));
  if (auto ok = transport->init(); !ok) return tl::unexpected(ok.error());
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace http
