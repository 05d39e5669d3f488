#include "agent/core/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "agent/core/output.hpp"

TEST(Redact, ReplacesEveryRegisteredSecret) {
  agent::register_secret("s3cr3t-token-value");
  EXPECT_EQ(agent::redact("Authorization: PVEAPIToken=a@pve!b=s3cr3t-token-value; again "
                          "s3cr3t-token-value"),
            "Authorization: PVEAPIToken=a@pve!b=***; again ***");
}

TEST(Redact, LeavesTextWithoutSecretsAlone) {
  EXPECT_EQ(agent::redact("nothing to hide"), "nothing to hide");
}

TEST(RedactingLog, PlainSpdlogCallsNeverPrintARegisteredSecret) {
  agent::register_secret("pw-9c41-log-me-not");
  agent::setup_logging("debug");
  testing::internal::CaptureStderr();
  spdlog::info("connecting with password {}", "pw-9c41-log-me-not");
  spdlog::error("mongodb://backup:pw-9c41-log-me-not@127.0.0.1/ refused");
  spdlog::debug("pw-9c41-log-me-not");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("pw-9c41-log-me-not"), std::string::npos) << err;
  EXPECT_NE(err.find("connecting with password ***"), std::string::npos) << err;
  EXPECT_NE(err.find("mongodb://backup:***@127.0.0.1/ refused"), std::string::npos) << err;
  EXPECT_NE(err.find("error mongodb:"), std::string::npos) << "the level still formats: " << err;
}

TEST(RedactingOutput, ACommandsResultsAndMessagesNeverShowARegisteredSecret) {
  agent::register_secret("tok-51f0-print-me-not");
  std::ostringstream out, err;
  agent::StreamOutput output(out, err);
  output.result("{\"url\": \"https://a:tok-51f0-print-me-not@pve1:8006\"}\n");
  output.error("API answered 401 for token secret tok-51f0-print-me-not");
  EXPECT_EQ(out.str(), "{\"url\": \"https://a:***@pve1:8006\"}\n");
  EXPECT_EQ(err.str(), "pve-smokerbak: API answered 401 for token secret ***\n");
}
