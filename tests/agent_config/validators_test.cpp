// Single-value checks used by the loader.
#include <gtest/gtest.h>

#include "agent/config/config_validators.hpp"

namespace {

using namespace agent::config_checks;

TEST(CheckApiUrl, AcceptsHttpsHostWithOptionalPortAndSlash) {
  EXPECT_EQ(check_api_url("https://127.0.0.1:8006"), std::nullopt);
  EXPECT_EQ(check_api_url("https://pve.example/"), std::nullopt);
  EXPECT_EQ(check_api_url("https://[::1]:8006"), std::nullopt);
}

TEST(CheckApiUrl, RejectsOtherSchemesPathsAndBadPorts) {
  EXPECT_NE(check_api_url("http://127.0.0.1:8006"), std::nullopt);
  EXPECT_NE(check_api_url("https://"), std::nullopt);
  EXPECT_NE(check_api_url("https://pve:8006/api2/json"), std::nullopt);
  EXPECT_NE(check_api_url("https://pve:0"), std::nullopt);
  EXPECT_NE(check_api_url("https://pve:65536"), std::nullopt);
  EXPECT_NE(check_api_url("https://user@pve:8006"), std::nullopt);
}

TEST(CheckFingerprint, NeedsExactly32ColonSeparatedHexBytes) {
  std::string fp;
  for (int i = 0; i < 32; ++i) fp += (i ? ":" : "") + std::string("aF");
  EXPECT_EQ(check_fingerprint(fp), std::nullopt);
  EXPECT_NE(check_fingerprint(fp + ":00"), std::nullopt);
  EXPECT_NE(check_fingerprint(fp.substr(3)), std::nullopt);
  fp[0] = 'g';
  EXPECT_NE(check_fingerprint(fp), std::nullopt);
}

TEST(CheckTargetName, AllowsOnlyDirectorySafeNames) {
  EXPECT_EQ(check_target_name("prod-cloud_1.a"), std::nullopt);
  EXPECT_NE(check_target_name(""), std::nullopt);
  EXPECT_NE(check_target_name(".."), std::nullopt);
  EXPECT_NE(check_target_name("-x"), std::nullopt);
  EXPECT_NE(check_target_name("a/b"), std::nullopt);
  EXPECT_NE(check_target_name("a b"), std::nullopt);
  EXPECT_NE(check_target_name(std::string(65, 'a')), std::nullopt);
}

TEST(CheckTimezone, AcceptsLocalAndInstalledZonesOnly) {
  EXPECT_EQ(check_timezone("local"), std::nullopt);
  EXPECT_EQ(check_timezone("Europe/Berlin"), std::nullopt);
  EXPECT_EQ(check_timezone("UTC"), std::nullopt);
  EXPECT_NE(check_timezone("Europe/Atlantis"), std::nullopt);
  EXPECT_NE(check_timezone("../../etc/passwd"), std::nullopt);
  EXPECT_NE(check_timezone("/etc/localtime"), std::nullopt);
  EXPECT_NE(check_timezone("Europe"), std::nullopt);  // a directory, not a zone
}

TEST(CheckSecretRef, AcceptsAbsolutePathsAndBareCredentialNames) {
  EXPECT_EQ(check_secret_ref("/etc/pve-smokerbak/pve-token"), std::nullopt);
  EXPECT_EQ(check_secret_ref("pve-token"), std::nullopt);
  EXPECT_NE(check_secret_ref("credentials/pve-token"), std::nullopt);
  EXPECT_NE(check_secret_ref(".."), std::nullopt);
}

TEST(CheckDatabaseName, RejectsMongoForbiddenCharacters) {
  EXPECT_EQ(check_database_name("smartsmoker"), std::nullopt);
  EXPECT_NE(check_database_name("a.b"), std::nullopt);
  EXPECT_NE(check_database_name("a b"), std::nullopt);
  EXPECT_NE(check_database_name("a$b"), std::nullopt);
  EXPECT_NE(check_database_name(""), std::nullopt);
}

}  // namespace
