#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>

#include "tests/s3_fixture/s3_test_server.hpp"

namespace s3::testing {

std::optional<TestServer> load_test_server(std::string& reason) {
  const std::string path = std::string(S3_FIXTURE_DIR) + "/env";
  std::ifstream in(path);
  if (!in) {
    reason = "no S3 test server: " + path +
             " is missing (run through ctest, which starts the s3_server fixture, or "
             "tests/s3_fixture/start-rgw.sh " S3_FIXTURE_DIR ")";
    return std::nullopt;
  }
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    values[line.substr(0, eq)] = value;
  }
  if (values.count("S3_UNAVAILABLE")) {
    reason = "no S3 test server: " + values["S3_UNAVAILABLE"];
    return std::nullopt;
  }
  TestServer s{values["S3_ENDPOINT_HTTPS"], values["S3_ENDPOINT_HTTP"], values["S3_CA_FILE"],
               values["S3_FINGERPRINT"],    values["S3_ACCESS_KEY"],    values["S3_SECRET_KEY"],
               values["S3_REGION"]};
  if (s.https_endpoint.empty() || s.access_key.empty()) {
    reason = "no S3 test server: " + path + " is incomplete";
    return std::nullopt;
  }
  return s;
}

ClientOptions https_options(const TestServer& server, const std::string& bucket) {
  ClientOptions o;
  o.endpoint = server.https_endpoint;
  o.region = server.region;
  o.bucket = bucket;
  o.credentials = {server.access_key, server.secret_key, {}};
  o.ca_file = server.ca_file;
  o.retry.first_delay = std::chrono::milliseconds(20);
  o.retry.max_delay = std::chrono::milliseconds(200);
  o.request_timeout = std::chrono::seconds(20);
  return o;
}

ClientOptions http_options(const TestServer& server, const std::string& bucket,
                           const std::string& endpoint) {
  ClientOptions o = https_options(server, bucket);
  o.endpoint = endpoint.empty() ? server.http_endpoint : endpoint;
  o.ca_file.reset();
  o.allow_plain_loopback = true;
  return o;
}

std::string unique_bucket(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::string out = "t-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-";
  for (char c : tag) {
    if (out.size() >= 60) break;
    out += (c >= 'A' && c <= 'Z')                               ? static_cast<char>(c - 'A' + 'a')
           : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? c
                                                                : '-';
  }
  while (out.back() == '-') out.pop_back();
  return out;
}

void remove_bucket(Client& client) {
  for (int round = 0; round < 20; ++round) {
    auto page = client.list_object_versions("");
    if (!page || page->versions.empty()) break;
    for (const auto& v : page->versions) (void)client.delete_object(v.key, v.version_id, true);
    if (!page->truncated) break;
  }
  if (auto uploads = client.list_multipart_uploads("")) {
    for (const auto& u : uploads->uploads) (void)client.abort_multipart_upload(u.key, u.upload_id);
  }
  (void)client.delete_bucket();
}

}  // namespace s3::testing
