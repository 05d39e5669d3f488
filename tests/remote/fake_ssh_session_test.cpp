#include "tests/support/fake_ssh_session.hpp"

#include <gtest/gtest.h>

namespace {

TEST(FakeSshSession, ReplaysScriptAndRecordsCommandAndStdin) {
  remote::FakeCommand cmd;
  cmd.stdout_data = std::string(100000, 'a');
  cmd.stderr_lines = {"line 1"};
  cmd.exit_code = 3;
  remote::FakeSshSession s({cmd});
  std::string out;
  std::vector<std::string> err;
  auto r = s.exec(
      "mongodump", remote::stdin_from_string("secret\n"),
      [&](const std::uint8_t* d, std::size_t n) {
        out.append(reinterpret_cast<const char*>(d), n);
        return true;
      },
      [&](std::string_view l) { err.emplace_back(l); });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 3);
  EXPECT_EQ(out, cmd.stdout_data);
  EXPECT_EQ(err, std::vector<std::string>{"line 1"});
  ASSERT_EQ(s.calls().size(), 1U);
  EXPECT_EQ(s.calls()[0].stdin_data, "secret\n");
}

TEST(FakeSshSession, ReportsScriptedErrorWithDeliveredByteCount) {
  remote::FakeCommand cmd;
  cmd.stdout_data = "abc";
  cmd.error = remote::Error{remote::Error::Kind::disconnected, "gone", 0};
  remote::FakeSshSession s({cmd});
  auto r = s.exec(
      "x", remote::no_stdin(), [](const std::uint8_t*, std::size_t) { return true; }, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, remote::Error::Kind::disconnected);
  EXPECT_EQ(r.error().stdout_bytes, 3U);
}

TEST(FakeSshSession, FailsWhenScriptIsExhausted) {
  remote::FakeSshSession s({});
  auto r = s.exec(
      "x", remote::no_stdin(), [](const std::uint8_t*, std::size_t) { return true; }, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, remote::Error::Kind::channel);
}

}  // namespace
