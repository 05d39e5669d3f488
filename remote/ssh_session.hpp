#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "remote/error.hpp"

// One SSH connection that runs remote commands over exec channels. The libssh implementation
// (connect_ssh) is the only place libssh appears; FakeSshSession
// (tests/support/fake_ssh_session.hpp) replays scripted commands for unit tests.
namespace remote {

struct SshOptions {
  std::string host;
  int port = 22;
  std::string user = "root";
  std::filesystem::path identity_file;  // private key (ed25519/ECDSA/RSA, no passphrase)
  std::filesystem::path known_hosts;    // the only file consulted for host keys
  int connect_timeout_s = 15;
  int io_timeout_s = 120;  // a command whose streams stay silent this long fails with `timeout`
  // Overall limit on one exec, however lively its streams: a command still running after this
  // long is asked to stop (SIGTERM over the channel) and the exec fails with `deadline`. Stall
  // detection (io_timeout_s) stays. 0 = no limit; the default is a last-resort backstop, callers
  // set their own (the mongo tier: mongo.max_duration_s).
  int max_duration_s = 86400;
};

// How a remote command ended. Exactly one of code / signal is meaningful: a command killed by a
// signal has `signal` set (e.g. "TERM") and code -1.
struct ExitStatus {
  int code = -1;
  std::optional<std::string> signal;
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;

  bool success() const { return code == 0 && !signal; }
};

// Supplies the command's stdin: fills `buf` with up to `size` bytes and returns how many;
// 0 means end of input (the channel then gets EOF); nullopt aborts the command (Kind::aborted).
using StdinSource = std::function<std::optional<std::size_t>(char* buf, std::size_t size)>;
// Receives stdout in arrival order; return false to abort the command (Kind::aborted).
using StdoutSink = std::function<bool(const std::uint8_t* data, std::size_t size)>;
// Receives stderr one line at a time, without the line terminator (a last unterminated line is
// delivered at the end). Lines longer than 64 KiB are split.
using StderrLineSink = std::function<void(std::string_view line)>;

// Stdin helpers.
StdinSource no_stdin();
// The given bytes (e.g. "password\n"); the returned source keeps its own copy.
StdinSource stdin_from_string(std::string data);

class SshSession {
 public:
  virtual ~SshSession() = default;
  // Runs `command` through the remote user's shell: stdin is written completely and closed
  // first, then stdout and stderr are streamed to the sinks until the command exits. Returns
  // the exit status (a non-zero exit is not an error here), or an error when the connection
  // dropped, the streams stalled past io_timeout_s, the command ran past max_duration_s, or a
  // sink/source aborted.
  virtual Result<ExitStatus> exec(const std::string& command, const StdinSource& stdin_source,
                                  const StdoutSink& stdout_sink,
                                  const StderrLineSink& stderr_sink) = 0;
  // "user@host:port", for messages.
  virtual std::string describe() const = 0;
};

// Connects with key authentication and strict host key checking against
// options.known_hosts only (no global file, no ~/.ssh/config, no agent). An unknown or changed
// host key refuses the connection; the error message then carries the server's SHA-256
// fingerprint and the command that trusts it. There is deliberately no option to skip the check.
Result<std::unique_ptr<SshSession>> connect_ssh(const SshOptions& options);

// Quotes `arg` for a POSIX shell (single quotes), so remote command lines built from
// configuration values cannot be split or expanded.
std::string shell_quote(std::string_view arg);

}  // namespace remote
