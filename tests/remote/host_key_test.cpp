// Strict host key checking and key authentication against a real sshd.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "remote/ssh_session.hpp"
#include "tests/sshd_fixture/sshd_fixture.hpp"

namespace {

using testing_support::SshdFixture;

// "SHA256:..." as ssh-keygen -lf prints it for the fixture's current host key.
std::string fingerprint_of(const std::filesystem::path& pub) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(
      popen(("ssh-keygen -lf '" + pub.string() + "'").c_str(), "r"), pclose);
  std::array<char, 512> buf{};
  std::string out;
  while (p && fgets(buf.data(), buf.size(), p.get()) != nullptr) out += buf.data();
  const auto start = out.find("SHA256:");
  return out.substr(start, out.find(' ', start) - start);
}

class HostKey : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!m_sshd.unavailable().empty()) GTEST_SKIP() << m_sshd.unavailable();
  }
  SshdFixture m_sshd;
};

TEST_F(HostKey, KnownKeyConnects) {
  auto s = remote::connect_ssh(m_sshd.options());
  EXPECT_TRUE(s) << s.error().message;
}

TEST_F(HostKey, UnknownHostIsRefusedWithFingerprintAndTrustCommand) {
  auto opts = m_sshd.options();
  opts.known_hosts = m_sshd.dir() / "empty_known_hosts";
  std::ofstream(opts.known_hosts).flush();
  auto s = remote::connect_ssh(opts);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, remote::Error::Kind::host_key_unknown);
  const auto& msg = s.error().message;
  EXPECT_NE(msg.find(fingerprint_of(m_sshd.host_public_key())), std::string::npos) << msg;
  EXPECT_NE(msg.find("ssh-keyscan -p " + std::to_string(m_sshd.port()) + " -t ed25519 '127.0.0.1'"),
            std::string::npos)
      << msg;
}

TEST_F(HostKey, MissingKnownHostsFileIsRefused) {
  auto opts = m_sshd.options();
  opts.known_hosts = m_sshd.dir() / "does-not-exist";
  auto s = remote::connect_ssh(opts);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, remote::Error::Kind::host_key_unknown);
}

TEST_F(HostKey, ChangedKeyIsRefusedWithNewFingerprint) {
  ASSERT_TRUE(m_sshd.change_host_key());
  auto s = remote::connect_ssh(m_sshd.options());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, remote::Error::Kind::host_key_changed);
  EXPECT_NE(s.error().message.find(fingerprint_of(m_sshd.host_public_key())), std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find("ssh-keygen -R"), std::string::npos);
}

TEST_F(HostKey, TrustCommandFromTheMessageMakesTheHostKnown) {
  auto opts = m_sshd.options();
  opts.known_hosts = m_sshd.dir() / "fresh_known_hosts";
  std::ofstream(opts.known_hosts).flush();
  auto refused = remote::connect_ssh(opts);
  ASSERT_FALSE(refused);
  const auto& msg = refused.error().message;
  const auto cmd = msg.substr(msg.find("ssh-keyscan"));
  ASSERT_EQ(testing_support::run_shell(cmd + " 2>/dev/null"), 0) << cmd;
  auto s = remote::connect_ssh(opts);
  EXPECT_TRUE(s) << s.error().message;
}

TEST_F(HostKey, UnauthorisedUserKeyIsRefused) {
  auto opts = m_sshd.options();
  opts.identity_file = m_sshd.dir() / "other_key";
  ASSERT_EQ(testing_support::run_shell("ssh-keygen -q -t ed25519 -N '' -f '" +
                                       opts.identity_file.string() + "'"),
            0);
  auto s = remote::connect_ssh(opts);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, remote::Error::Kind::auth);
}

TEST_F(HostKey, MissingIdentityFileIsAnAuthError) {
  auto opts = m_sshd.options();
  opts.identity_file = m_sshd.dir() / "nope";
  auto s = remote::connect_ssh(opts);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, remote::Error::Kind::auth);
  EXPECT_NE(s.error().message.find("nope"), std::string::npos);
}

TEST(SshConnect, ClosedPortIsAConnectError) {
  remote::SshOptions o;
  o.host = "127.0.0.1";
  o.port = 1;  // nothing listens on a privileged port 1 here
  o.connect_timeout_s = 2;
  auto s = remote::connect_ssh(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, remote::Error::Kind::connect);
}

}  // namespace
