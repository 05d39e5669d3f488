#include <gtest/gtest.h>

#include "agent/core/log.hpp"
#include "agent/mongo/redact.hpp"

namespace {

TEST(RedactMongoLine, HidesPasswordInConnectionUri) {
  const auto line = agent::mongo::redact_mongo_line(
      "Failed: can't create session: failed to connect to mongodb://root:example@localhost:27017: "
      "auth error");
  EXPECT_EQ(line.find("example"), std::string::npos);
  EXPECT_NE(line.find("mongodb://root:***@localhost"), std::string::npos);
}

TEST(RedactMongoLine, LeavesUriWithoutCredentialsAlone) {
  const std::string text = "connecting to mongodb://localhost:27017/?authSource=admin";
  EXPECT_EQ(agent::mongo::redact_mongo_line(text), text);
}

TEST(RedactMongoLine, HidesRegisteredSecrets) {
  agent::register_secret("s3cr3t-mongo-pw");
  EXPECT_EQ(agent::mongo::redact_mongo_line("echo s3cr3t-mongo-pw").find("s3cr3t"),
            std::string::npos);
}

}  // namespace
