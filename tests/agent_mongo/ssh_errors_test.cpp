#include <gtest/gtest.h>

#include "agent/mongo/ssh_sessions.hpp"

namespace {

using agent::TierError;
using K = remote::Error::Kind;

TierError::Kind kind_of(K kind) { return agent::mongo::tier_error_of({kind, "m", 0}).kind; }

TEST(SshErrors, KeysAreAccessAndALostConnectionIsUnreachable) {
  EXPECT_EQ(kind_of(K::auth), TierError::Kind::access);
  EXPECT_EQ(kind_of(K::host_key_unknown), TierError::Kind::access);
  EXPECT_EQ(kind_of(K::host_key_changed), TierError::Kind::access);
  EXPECT_EQ(kind_of(K::connect), TierError::Kind::unreachable);
  EXPECT_EQ(kind_of(K::timeout), TierError::Kind::unreachable);
  EXPECT_EQ(kind_of(K::disconnected), TierError::Kind::unreachable);
  EXPECT_EQ(kind_of(K::channel), TierError::Kind::refused);
  EXPECT_EQ(kind_of(K::remote_exit), TierError::Kind::refused);
  EXPECT_EQ(kind_of(K::aborted), TierError::Kind::local_io);
}

}  // namespace
