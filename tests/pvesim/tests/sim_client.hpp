#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/pvesim/simulator.hpp"

namespace pvesim::testing {

// A plain HTTPS client for the simulator's own tests: cpp-httplib's SSLClient verifying the
// simulator's CA, sending the API token header. Not the project's Proxmox client.
struct HttpResult {
  bool transport_ok = false;
  int status = 0;
  std::string reason;
  std::string body;
  nlohmann::json json;  // parsed body, null when empty or not JSON
};

class SimClient {
 public:
  SimClient(const Simulator& sim, std::string token_id, std::string secret);
  explicit SimClient(const Simulator& sim);  // default_token()

  HttpResult get(const std::string& api_path, const std::map<std::string, std::string>& q = {});
  HttpResult post(const std::string& api_path, const std::map<std::string, std::string>& form);
  HttpResult put(const std::string& api_path, const std::map<std::string, std::string>& form);
  HttpResult del(const std::string& api_path, const std::map<std::string, std::string>& q = {});
  HttpResult raw(const std::string& method, const std::string& target,
                 const std::map<std::string, std::string>& headers, const std::string& body = "");

  std::string authorization;

 private:
  int m_port;
  std::filesystem::path m_ca;
};

std::string form_encode(const std::map<std::string, std::string>& params);

// SHA-256 colon-hex fingerprint of the certificate served on 127.0.0.1:port, and whether it
// verified against `ca` ("" when the handshake failed).
std::string served_fingerprint(int port, const std::filesystem::path& ca, bool& verified);

// Decompresses a .tar.zst file and walks its ustar headers; returns the number of members
// when the stream is complete, checksummed and ends with the end-of-archive marker, else -1.
int count_tar_members_zst(const std::filesystem::path& archive);

}  // namespace pvesim::testing
