// The libssh transport against a real OpenSSH sshd on 127.0.0.1 (tests/sshd_fixture).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "remote/ssh_session.hpp"
#include "tests/remote/sshd_test_util.hpp"
#include "tests/sshd_fixture/sshd_fixture.hpp"

namespace {

using testing_support::Captured;
using testing_support::SshdFixture;

class LibsshSession : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!m_sshd.unavailable().empty()) GTEST_SKIP() << m_sshd.unavailable();
  }
  std::unique_ptr<remote::SshSession> connect(int io_timeout_s = 10) {
    auto s = remote::connect_ssh(m_sshd.options(io_timeout_s));
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  SshdFixture m_sshd;
};

TEST_F(LibsshSession, StreamsStdoutByteExactAndReturnsExitCode) {
  // 8 MiB of random bytes: binary-safe and long enough to cross many window adjusts.
  const auto file = m_sshd.dir() / "payload.bin";
  std::string payload(8 << 20, '\0');
  std::mt19937_64 rng(42);
  for (auto& c : payload) c = static_cast<char>(rng());
  std::ofstream(file, std::ios::binary) << payload;
  auto s = connect();
  ASSERT_TRUE(s);
  Captured c;
  auto r =
      s->exec("cat '" + file.string() + "'", remote::no_stdin(), c.stdout_sink(), c.stderr_sink());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, 0);
  EXPECT_TRUE(r->success());
  EXPECT_EQ(r->stdout_bytes, payload.size());
  EXPECT_TRUE(c.out == payload);
}

TEST_F(LibsshSession, DeliversStderrLinesAndNonZeroExit) {
  auto s = connect();
  ASSERT_TRUE(s);
  Captured c;
  auto r = s->exec("printf out; printf 'first\\nFailed: boom\\n' >&2; exit 7", remote::no_stdin(),
                   c.stdout_sink(), c.stderr_sink());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, 7);
  EXPECT_FALSE(r->success());
  EXPECT_EQ(c.out, "out");
  EXPECT_EQ(c.err, (std::vector<std::string>{"first", "Failed: boom"}));
}

TEST_F(LibsshSession, StderrOnlyCommandDoesNotHang) {
  // stdout drained while stderr pending is the ambiguous 0 return of libssh 0.10.
  auto s = connect(2);
  ASSERT_TRUE(s);
  Captured c;
  auto r =
      s->exec("echo only-stderr >&2; exit 3", remote::no_stdin(), c.stdout_sink(), c.stderr_sink());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, 3);
  EXPECT_EQ(c.err, std::vector<std::string>{"only-stderr"});
}

TEST_F(LibsshSession, PassesStdinToTheCommand) {
  auto s = connect();
  ASSERT_TRUE(s);
  Captured c;
  // The password path: one line on stdin, read by the remote program, never in argv.
  auto r = s->exec("read -r pw; printf '%s' \"${#pw}\"", remote::stdin_from_string("s3cr3t\n"),
                   c.stdout_sink(), c.stderr_sink());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(c.out, "6");
}

TEST_F(LibsshSession, StreamsLargeStdinCompletely) {
  auto s = connect();
  ASSERT_TRUE(s);
  Captured c;
  std::string data(5 << 20, 'z');
  auto r = s->exec("wc -c", remote::stdin_from_string(data), c.stdout_sink(), c.stderr_sink());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(std::stoul(c.out), data.size());
}

TEST_F(LibsshSession, ReportsSignalDeath) {
  auto s = connect();
  ASSERT_TRUE(s);
  Captured c;
  auto r = s->exec("kill -TERM $$", remote::no_stdin(), c.stdout_sink(), c.stderr_sink());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->success());
  ASSERT_TRUE(r->signal.has_value());
  EXPECT_EQ(*r->signal, "TERM");
}

TEST_F(LibsshSession, SilentCommandTimesOutInsteadOfHanging) {
  auto s = connect(1);
  ASSERT_TRUE(s);
  Captured c;
  const auto start = std::chrono::steady_clock::now();
  auto r = s->exec("printf abc; sleep 4", remote::no_stdin(), c.stdout_sink(), c.stderr_sink());
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, remote::Error::Kind::timeout);
  EXPECT_EQ(r.error().stdout_bytes, 3U);
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST_F(LibsshSession, ADripThatNeverStallsEndsAtTheOverallDeadline) {
  // Issue 11: one byte every 2 s resets any stall timer; only an overall deadline ends it.
  auto o = m_sshd.options(5);
  o.max_duration_s = 3;
  auto s = remote::connect_ssh(o);
  ASSERT_TRUE(s) << s.error().message;
  Captured c;
  const auto start = std::chrono::steady_clock::now();
  auto r = (*s)->exec("while :; do printf x; sleep 2; done", remote::no_stdin(), c.stdout_sink(),
                      c.stderr_sink());
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, remote::Error::Kind::deadline);
  EXPECT_STREQ(remote::kind_name(r.error().kind), "deadline");
  EXPECT_NE(r.error().message.find("deadline of 3 s (max_duration_s)"), std::string::npos)
      << r.error().message;
  EXPECT_GE(r.error().stdout_bytes, 1U);
  EXPECT_GE(took, std::chrono::seconds(3));
  EXPECT_LT(took, std::chrono::seconds(6));
  // The session stays usable for the next command.
  Captured next;
  auto again = (*s)->exec("echo ok", remote::no_stdin(), next.stdout_sink(), next.stderr_sink());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(next.out, "ok\n");
}

TEST_F(LibsshSession, ADripOnStderrEndsAtTheDeadlineToo) {
  auto o = m_sshd.options(5);
  o.max_duration_s = 2;
  auto s = remote::connect_ssh(o);
  ASSERT_TRUE(s) << s.error().message;
  Captured c;
  auto r = (*s)->exec("while :; do printf 'x\\n' >&2; sleep 1; done", remote::no_stdin(),
                      c.stdout_sink(), c.stderr_sink());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, remote::Error::Kind::deadline);
}

TEST_F(LibsshSession, ADeadlineOfZeroMeansNone) {
  auto o = m_sshd.options(5);
  o.max_duration_s = 0;
  auto s = remote::connect_ssh(o);
  ASSERT_TRUE(s) << s.error().message;
  Captured c;
  auto r = (*s)->exec("sleep 1; echo done", remote::no_stdin(), c.stdout_sink(), c.stderr_sink());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(c.out, "done\n");
}

TEST_F(LibsshSession, DroppedConnectionMidStreamIsReportedWithByteCount) {
  auto s = connect();
  ASSERT_TRUE(s);
  std::atomic<std::uint64_t> got{0};
  std::thread cutter;
  bool cut = false;
  auto r = s->exec(
      "head -c 200000000 /dev/zero", remote::no_stdin(),
      [&](const std::uint8_t*, std::size_t n) {
        got += n;
        if (!cut && got > (1U << 20)) {
          cut = true;
          m_sshd.kill_sessions();
        }
        return true;
      },
      nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, remote::Error::Kind::disconnected);
  EXPECT_EQ(r.error().stdout_bytes, got.load());
  EXPECT_NE(r.error().message.find("lost after"), std::string::npos);
}

TEST_F(LibsshSession, SinkCanAbortTheTransfer) {
  auto s = connect();
  ASSERT_TRUE(s);
  auto r = s->exec(
      "head -c 50000000 /dev/zero", remote::no_stdin(),
      [](const std::uint8_t*, std::size_t) { return false; }, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, remote::Error::Kind::aborted);
}

TEST_F(LibsshSession, ACommandStoppedByItsSinkLeavesTheSessionUsable) {
  // A command stopped early (here: the receiver refused more output, as when a container
  // prints more than a bound) leaves a channel that libssh frees only when the server's close
  // arrives; the next command on the session must not run the stopped one's callbacks (it
  // crashed with a jump into a dead stack frame).
  auto s = connect();
  ASSERT_TRUE(s);
  for (int round = 0; round < 3; ++round) {
    std::size_t seen = 0;
    auto r = s->exec(
        "printf x >&2; head -c 50000000 /dev/zero; echo done >&2; exit 4", remote::no_stdin(),
        [&seen](const std::uint8_t*, std::size_t n) {
          seen += n;
          return seen < 100000;
        },
        nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, remote::Error::Kind::aborted);
    for (int i = 0; i < 3; ++i) {
      Captured c;
      auto again = s->exec("sleep 0.2; echo " + std::to_string(i) + "; exit 5", remote::no_stdin(),
                           c.stdout_sink(), c.stderr_sink());
      ASSERT_TRUE(again) << again.error().message;
      EXPECT_EQ(c.out, std::to_string(i) + "\n");
      EXPECT_EQ(again->code, 5);
    }
  }
}

TEST_F(LibsshSession, RunsSeveralCommandsOnOneSession) {
  auto s = connect();
  ASSERT_TRUE(s);
  for (int i = 0; i < 3; ++i) {
    Captured c;
    auto r =
        s->exec("echo " + std::to_string(i), remote::no_stdin(), c.stdout_sink(), c.stderr_sink());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(c.out, std::to_string(i) + "\n");
  }
}

TEST_F(LibsshSession, SessionFindsProgramsInFixturePathDirectories) {
  const auto bin = m_sshd.dir() / "fake-bin";
  std::filesystem::create_directories(bin);
  std::ofstream(bin / "smokerbak-probe") << "#!/bin/sh\necho probe-ok\n";
  std::filesystem::permissions(bin / "smokerbak-probe", std::filesystem::perms::owner_all);
  SshdFixture sshd({bin});
  if (!sshd.unavailable().empty()) GTEST_SKIP() << sshd.unavailable();
  auto s = remote::connect_ssh(sshd.options());
  ASSERT_TRUE(s) << s.error().message;
  Captured c;
  auto r = (*s)->exec("smokerbak-probe", remote::no_stdin(), c.stdout_sink(), c.stderr_sink());
  ASSERT_TRUE(r);
  EXPECT_EQ(c.out, "probe-ok\n");
}

}  // namespace
