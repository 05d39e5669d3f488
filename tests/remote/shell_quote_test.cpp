#include <gtest/gtest.h>

#include "remote/ssh_session.hpp"

namespace {

TEST(ShellQuote, WrapsInSingleQuotes) {
  EXPECT_EQ(remote::shell_quote("smoker db"), "'smoker db'");
}

TEST(ShellQuote, EscapesEmbeddedSingleQuote) {
  EXPECT_EQ(remote::shell_quote("it's"), "'it'\\''s'");
}

TEST(ShellQuote, NeutralisesShellMetacharacters) {
  EXPECT_EQ(remote::shell_quote("$(rm -rf /);`x`"), "'$(rm -rf /);`x`'");
}

TEST(StdinFromString, DeliversBytesOnceThenEnd) {
  auto src = remote::stdin_from_string("pw\n");
  char buf[2];
  EXPECT_EQ(src(buf, 2), 2U);
  EXPECT_EQ(src(buf, 2), 1U);
  EXPECT_EQ(buf[0], '\n');
  EXPECT_EQ(src(buf, 2), 0U);
}

}  // namespace
