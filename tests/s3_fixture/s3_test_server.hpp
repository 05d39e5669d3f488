#pragma once

#include <optional>
#include <string>

#include "s3/client.hpp"

// The radosgw that ctest's s3_server_start fixture started (start-rgw.sh), read from its env
// file. Tests call require() and skip with the reason when no server is available.
namespace s3::testing {

struct TestServer {
  std::string https_endpoint;  // https://127.0.0.1:PORT (throwaway CA, leaf for 127.0.0.1)
  std::string http_endpoint;   // plain, for fault proxies that must read or inject HTTP
  std::string ca_file;
  std::string fingerprint;  // the leaf's SHA-256, colon hex
  std::string access_key;
  std::string secret_key;
  std::string region;
};

// nullopt with `reason` filled when the fixture did not run or could not start a server.
std::optional<TestServer> load_test_server(std::string& reason);

// Client options for `bucket` on the server's HTTPS endpoint, trusting its CA, with fast
// retries for tests.
ClientOptions https_options(const TestServer& server, const std::string& bucket);
// The same over plain http to 127.0.0.1 (for fault proxies), endpoint overridable.
ClientOptions http_options(const TestServer& server, const std::string& bucket,
                           const std::string& endpoint = {});

// A bucket name unique to this test process and `tag`.
std::string unique_bucket(const std::string& tag);

// Deletes every version and delete marker, aborts uploads and deletes the bucket; what is still
// locked stays (the server is thrown away after the run). Best effort.
void remove_bucket(Client& client);

}  // namespace s3::testing

#define S3_REQUIRE_SERVER(var)                                          \
  std::string s3_skip_reason_;                                          \
  auto var##_loaded = ::s3::testing::load_test_server(s3_skip_reason_); \
  if (!var##_loaded) GTEST_SKIP() << s3_skip_reason_;                   \
  const ::s3::testing::TestServer& var = *var##_loaded
