#include "tests/pvesim/tests/sim_client.hpp"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <zstd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace pvesim::testing {

std::string form_encode(const std::map<std::string, std::string>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += httplib::detail::encode_query_param(k) + "=" + httplib::detail::encode_query_param(v);
  }
  return out;
}

SimClient::SimClient(const Simulator& sim, std::string token_id, std::string secret)
    : authorization("PVEAPIToken=" + token_id + "=" + secret),
      m_port(sim.port()),
      m_ca(sim.ca_file()) {}

SimClient::SimClient(const Simulator& sim)
    : SimClient(sim, default_token().token_id, default_token().secret) {}

HttpResult SimClient::raw(const std::string& method, const std::string& target,
                          const std::map<std::string, std::string>& headers,
                          const std::string& body) {
  httplib::SSLClient client("127.0.0.1", m_port);
  client.set_ca_cert_path(m_ca.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  httplib::Request req;
  req.method = method;
  req.path = target;
  for (const auto& [k, v] : headers) req.set_header(k, v);
  if (!body.empty()) {
    req.body = body;
    if (!req.has_header("Content-Type")) {
      req.set_header("Content-Type", "application/x-www-form-urlencoded");
    }
  }
  HttpResult out;
  auto res = client.send(req);
  if (!res) return out;
  out.transport_ok = true;
  out.status = res->status;
  out.reason = res->reason;
  out.body = res->body;
  if (!out.body.empty()) out.json = nlohmann::json::parse(out.body, nullptr, false);
  if (out.json.is_discarded()) out.json = nullptr;
  return out;
}

HttpResult SimClient::get(const std::string& api_path,
                          const std::map<std::string, std::string>& q) {
  const std::string query = q.empty() ? "" : "?" + form_encode(q);
  return raw("GET", "/api2/json" + api_path + query, {{"Authorization", authorization}});
}
HttpResult SimClient::post(const std::string& api_path,
                           const std::map<std::string, std::string>& form) {
  return raw("POST", "/api2/json" + api_path, {{"Authorization", authorization}},
             form_encode(form));
}
HttpResult SimClient::put(const std::string& api_path,
                          const std::map<std::string, std::string>& form) {
  return raw("PUT", "/api2/json" + api_path, {{"Authorization", authorization}}, form_encode(form));
}
HttpResult SimClient::del(const std::string& api_path,
                          const std::map<std::string, std::string>& q) {
  const std::string query = q.empty() ? "" : "?" + form_encode(q);
  return raw("DELETE", "/api2/json" + api_path + query, {{"Authorization", authorization}});
}

std::string served_fingerprint(int port, const std::filesystem::path& ca, bool& verified) {
  verified = false;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr);
  BIO* bio = BIO_new_ssl_connect(ctx);
  BIO_set_conn_hostname(bio, ("127.0.0.1:" + std::to_string(port)).c_str());
  std::string fp;
  if (BIO_do_handshake(bio) == 1) {
    SSL* ssl = nullptr;
    BIO_get_ssl(bio, &ssl);
    verified = SSL_get_verify_result(ssl) == X509_V_OK;
    if (X509* cert = SSL_get1_peer_certificate(ssl)) {
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      X509_digest(cert, EVP_sha256(), md, &len);
      char hex[4];
      for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(hex, sizeof hex, "%02X", md[i]);
        fp += (i ? ":" : "") + std::string(hex);
      }
      X509_free(cert);
    }
  }
  BIO_free_all(bio);
  SSL_CTX_free(ctx);
  return fp;
}

int count_tar_members_zst(const std::filesystem::path& archive) {
  std::ifstream in(archive, std::ios::binary);
  const std::string packed{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string tar;
  std::vector<char> out(1 << 16);
  ZSTD_inBuffer input{packed.data(), packed.size(), 0};
  std::size_t rest = 1;
  while (input.pos < input.size) {
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    rest = ZSTD_decompressStream(dctx, &output, &input);
    if (ZSTD_isError(rest)) break;
    tar.append(out.data(), output.pos);
  }
  ZSTD_freeDCtx(dctx);
  if (ZSTD_isError(rest) || rest != 0) return -1;  // corrupt or cut-off frame
  int members = 0;
  for (std::size_t pos = 0; pos + 512 <= tar.size();) {
    const std::string header = tar.substr(pos, 512);
    if (header == std::string(512, '\0')) {
      return pos + 1024 <= tar.size() ? members : -1;
    }
    if (header.compare(257, 5, "ustar") != 0) return -1;
    const std::size_t size = std::stoull(header.substr(124, 11), nullptr, 8);
    pos += 512 + (size + 511) / 512 * 512;
    ++members;
  }
  return -1;
}

}  // namespace pvesim::testing
