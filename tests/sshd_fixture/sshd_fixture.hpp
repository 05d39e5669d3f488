#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "remote/ssh_session.hpp"

namespace testing_support {

// A real OpenSSH sshd on 127.0.0.1 for tests: throwaway ed25519 host and user keys in a temp
// directory, an ephemeral port, its own known_hosts, and `path_dirs` first on the session's
// PATH (so stand-in programs such as mongodump are found). The server runs as the current user
// and is stopped (by the PID recorded at start) in the destructor, along with its sessions.
class SshdFixture {
 public:
  explicit SshdFixture(std::vector<std::filesystem::path> path_dirs = {});
  ~SshdFixture();
  SshdFixture(const SshdFixture&) = delete;
  SshdFixture& operator=(const SshdFixture&) = delete;

  // Empty when running; otherwise why sshd is unavailable (tests GTEST_SKIP with it).
  const std::string& unavailable() const { return m_unavailable; }

  int port() const { return m_port; }
  const std::filesystem::path& dir() const { return m_dir; }
  std::filesystem::path identity_file() const { return m_dir / "user_ed25519"; }
  std::filesystem::path known_hosts() const { return m_dir / "known_hosts"; }
  std::filesystem::path host_public_key() const { return m_dir / "host_ed25519.pub"; }
  std::string user() const;
  // SshOptions that connect to this server with the fixture's keys.
  remote::SshOptions options(int io_timeout_s = 10) const;

  // Drops every open connection abruptly (SIGKILL to the per-connection sshd processes); the
  // listener keeps running, so a later connect works.
  void kill_sessions();
  // Replaces the host key and restarts sshd on the same port; known_hosts keeps the old key.
  bool change_host_key();

 private:
  bool start();
  void stop();
  std::vector<pid_t> session_pids() const;

  std::vector<std::filesystem::path> m_path_dirs;
  std::filesystem::path m_dir;
  std::string m_unavailable;
  int m_port = 0;
  pid_t m_pid = -1;
};

// Runs a shell command line and returns its exit status (for tests: ssh-keygen etc.).
int run_shell(const std::string& command_line);

}  // namespace testing_support
