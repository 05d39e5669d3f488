// The bucket checks of `config check` against real radosgw buckets made here: a missing
// bucket, a bucket without Object Lock or without versioning while `lock` is on, each a clear
// error naming the destination and the fix; a good bucket passes.
#include <gtest/gtest.h>

#include "agent/offsite/offsite_commands.hpp"
#include "tests/agent_offsite/offsite_fixture.hpp"

namespace agent::offsite {
namespace {

namespace fs = std::filesystem;

class OffsiteBucketCheck : public testing::OffsiteFixture {
 protected:
  std::string findings_text() {
    std::string text;
    for (const auto& f : check_destinations(config, clients())) {
      text += f.key + ": " + f.message + "\n";
    }
    return text;
  }
};

TEST_F(OffsiteBucketCheck, ABucketWithObjectLockAndVersioningPasses) {
  add_destination(true, true);
  EXPECT_EQ(findings_text(), "");
}

TEST_F(OffsiteBucketCheck, AMissingBucketNamesTheDestinationAndHowToCreateIt) {
  add_destination(true, true);
  config.offsite.destinations[0].bucket = "smokerbak-no-such-bucket-" + std::to_string(::getpid());
  const std::string text = findings_text();
  EXPECT_NE(text.find("offsite.destinations[0].bucket"), std::string::npos) << text;
  EXPECT_NE(text.find("destination rgw"), std::string::npos) << text;
  EXPECT_NE(text.find("does not exist"), std::string::npos) << text;
  EXPECT_NE(text.find("--object-lock-enabled-for-bucket"), std::string::npos) << text;
}

TEST_F(OffsiteBucketCheck, ABucketWithoutObjectLockIsAnErrorWithTheFix) {
  add_destination(false, true);  // versioned, but created without Object Lock
  const std::string text = findings_text();
  EXPECT_NE(text.find("offsite.destinations[0].lock"), std::string::npos) << text;
  EXPECT_NE(text.find("destination rgw"), std::string::npos) << text;
  EXPECT_NE(text.find("has no Object Lock"), std::string::npos) << text;
  EXPECT_NE(text.find("aws s3api create-bucket"), std::string::npos) << text;
  EXPECT_NE(text.find("lock: off"), std::string::npos) << text;
}

TEST_F(OffsiteBucketCheck, ABucketWithoutVersioningIsAnErrorWithTheFix) {
  add_destination(false, false);
  const std::string text = findings_text();
  EXPECT_NE(text.find("offsite.destinations[0].lock"), std::string::npos) << text;
  EXPECT_NE(text.find("versioning off"), std::string::npos) << text;
  EXPECT_NE(text.find("aws s3api create-bucket"), std::string::npos) << text;
}

TEST_F(OffsiteBucketCheck, WithLockOffAPlainBucketPasses) {
  add_destination(false, false, OffsiteLock::off);
  EXPECT_EQ(findings_text(), "");
}

TEST_F(OffsiteBucketCheck, WrongCredentialsAreAnErrorNamingTheDestination) {
  add_destination(true, true);
  s3::testing::TestServer wrong = server;
  wrong.secret_key = std::string(wrong.secret_key.size(), 'x');
  const ClientFactory bad = [wrong](const OffsiteDestination& d) {
    return s3::Client::create(s3::testing::https_options(wrong, d.bucket));
  };
  std::string text;
  for (const auto& f : check_destinations(config, bad)) text += f.key + ": " + f.message + "\n";
  EXPECT_NE(text.find("offsite.destinations[0].bucket"), std::string::npos) << text;
  EXPECT_NE(text.find("destination rgw"), std::string::npos) << text;
  EXPECT_EQ(text.find(wrong.secret_key), std::string::npos) << "the secret is never shown";
}

}  // namespace
}  // namespace agent::offsite
