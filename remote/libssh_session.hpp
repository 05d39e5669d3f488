#pragma once

#include <string>

#include "remote/ssh_session.hpp"

// Private to remote/: the libssh implementation of SshSession. Only the opaque libssh handle
// is named here (forward-declared); the libssh headers stay inside the .cpp files.
struct ssh_session_struct;

namespace remote {

class LibsshSession final : public SshSession {
 public:
  LibsshSession(ssh_session_struct* session, SshOptions options);
  ~LibsshSession() override;
  LibsshSession(const LibsshSession&) = delete;
  LibsshSession& operator=(const LibsshSession&) = delete;

  Result<ExitStatus> exec(const std::string& command, const StdinSource& stdin_source,
                          const StdoutSink& stdout_sink,
                          const StderrLineSink& stderr_sink) override;
  std::string describe() const override;

 private:
  ssh_session_struct* m_session;
  SshOptions m_options;
};

// Bytes requested per ssh_channel_read. libssh 0.10 returns at most one 32 KiB packet per call
// but grows the receive window to the requested count, so a larger count keeps more data in
// flight on links with latency (docs/transports.md 2.2) at no cost on loopback.
inline constexpr int k_read_size = 256 * 1024;

// The libssh wait per read call; stalls are measured across ticks against io_timeout_s.
inline constexpr int k_read_tick_ms = 250;

}  // namespace remote
