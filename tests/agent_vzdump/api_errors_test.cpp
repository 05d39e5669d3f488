#include "agent/vzdump/api_errors.hpp"

#include <gtest/gtest.h>

namespace agent {
namespace {

using K = proxmox::Error::Kind;

TierError::Kind kind_of(K kind, int status = 0) {
  return tier_error_of(proxmox::Error{kind, status, "m"}).kind;
}

TEST(ApiErrors, CredentialsAndTrustAreAccess) {
  EXPECT_EQ(kind_of(K::auth, 401), TierError::Kind::access);
  EXPECT_EQ(kind_of(K::permission, 403), TierError::Kind::access);
  EXPECT_EQ(kind_of(K::tls), TierError::Kind::access);
}

TEST(ApiErrors, NoAnswerIsUnreachableAndAnAnswerIsRefused) {
  EXPECT_EQ(kind_of(K::transport), TierError::Kind::unreachable);
  EXPECT_EQ(kind_of(K::timeout), TierError::Kind::unreachable);
  for (int status : {502, 503, 504, 595, 596}) {
    EXPECT_EQ(kind_of(K::http_status, status), TierError::Kind::unreachable) << status;
  }
  for (int status : {400, 500, 501}) {
    EXPECT_EQ(kind_of(K::http_status, status), TierError::Kind::refused) << status;
  }
  EXPECT_EQ(kind_of(K::task_failed), TierError::Kind::refused);
  EXPECT_EQ(kind_of(K::not_found), TierError::Kind::refused);
  EXPECT_EQ(kind_of(K::parse), TierError::Kind::refused);
}

TEST(ApiErrors, TheMessageIsKept) {
  EXPECT_EQ(tier_error_of({K::auth, 401, "401 authentication failure: check the token"}).message,
            "401 authentication failure: check the token");
}

}  // namespace
}  // namespace agent
