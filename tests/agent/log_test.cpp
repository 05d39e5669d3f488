#include "agent/core/log.hpp"

#include <gtest/gtest.h>

TEST(Redact, ReplacesEveryRegisteredSecret) {
  agent::register_secret("s3cr3t-token-value");
  EXPECT_EQ(agent::redact("Authorization: PVEAPIToken=a@pve!b=s3cr3t-token-value; again "
                          "s3cr3t-token-value"),
            "Authorization: PVEAPIToken=a@pve!b=***; again ***");
}

TEST(Redact, LeavesTextWithoutSecretsAlone) {
  EXPECT_EQ(agent::redact("nothing to hide"), "nothing to hide");
}
