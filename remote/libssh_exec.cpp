// The exec stream loop of LibsshSession. It follows the libssh 0.10.6 read procedure of
// docs/transports.md section 2.3: a 0 from ssh_channel_read is ambiguous (EOF, timeout, or stdout
// drained while stderr is pending), so per-stream state comes from ssh_channel_poll, stalls are
// measured across short read ticks, and the exit status/signal come from channel callbacks.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "remote/libssh_session.hpp"
#include "remote/line_splitter.hpp"

namespace remote {
namespace {

using Clock = std::chrono::steady_clock;

struct ExitInfo {
  std::optional<int> code;
  std::optional<std::string> signal;
};

void on_exit_status(ssh_session, ssh_channel, int status, void* userdata) {
  static_cast<ExitInfo*>(userdata)->code = status;
}

void on_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*,
                    void* userdata) {
  static_cast<ExitInfo*>(userdata)->signal = signal != nullptr ? signal : "?";
}

struct ChannelCloser {
  void operator()(ssh_channel ch) const {
    if (ssh_channel_is_open(ch) != 0) ssh_channel_close(ch);
    ssh_channel_free(ch);
  }
};
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelCloser>;

// One command's run: the state the loop phases share.
class ExecRun {
 public:
  ExecRun(ssh_session session, ssh_channel channel, const SshOptions& options,
          const StderrLineSink& stderr_sink)
      : m_session(session),
        m_channel(channel),
        m_io_timeout(std::chrono::seconds(std::max(1, options.io_timeout_s))),
        m_max_duration_s(std::max(0, options.max_duration_s)),
        m_deadline(m_max_duration_s > 0 ? m_start + std::chrono::seconds(m_max_duration_s)
                                        : Clock::time_point::max()),
        m_lines(stderr_sink),
        m_buf(static_cast<std::size_t>(k_read_size)) {}

  Result<void> write_stdin(const StdinSource& source);
  Result<void> read_stdout(const StdoutSink& sink);
  Result<void> drain_stderr_to_eof();
  Result<ExitStatus> exit_status(const ExitInfo& info);

 private:
  Error fail(Error::Kind kind, std::string message) {
    // Ask the remote side to stop (OpenSSH >= 7.9 honours "signal" requests); a stalled or
    // abandoned mongodump would otherwise keep running.
    if (kind == Error::Kind::timeout || kind == Error::Kind::deadline ||
        kind == Error::Kind::aborted) {
      ssh_channel_request_send_signal(m_channel, "TERM");
    }
    m_lines.finish();
    Error e;
    e.kind = kind;
    e.message = std::move(message);
    e.stdout_bytes = m_stdout_bytes;
    return e;
  }
  Error lost() {
    return fail(Error::Kind::disconnected, "SSH connection lost after " +
                                               std::to_string(m_stdout_bytes) +
                                               " bytes of output: " + ssh_get_error(m_session));
  }
  bool stalled() const { return Clock::now() - m_last_activity > m_io_timeout; }
  Error stall() {
    return fail(
        Error::Kind::timeout,
        "remote command silent for " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(m_io_timeout).count()) +
            " s (io_timeout_s) after " + std::to_string(m_stdout_bytes) +
            " bytes of output; gave up");
  }
  bool expired() const { return Clock::now() >= m_deadline; }
  Error overdue() {
    return fail(Error::Kind::deadline,
                "remote command still running after its deadline of " +
                    std::to_string(m_max_duration_s) + " s (max_duration_s), with " +
                    std::to_string(m_stdout_bytes) + " bytes of output; stopped it");
  }
  // Reads whatever stderr is buffered without blocking. Returns SSH_ERROR on a dead session,
  // else the number of bytes read (0 when none was buffered).
  int drain_buffered_stderr();

  ssh_session m_session;
  ssh_channel m_channel;
  Clock::duration m_io_timeout;
  const Clock::time_point m_start = Clock::now();
  int m_max_duration_s;
  Clock::time_point m_deadline;
  LineSplitter m_lines;
  std::vector<char> m_buf;
  Clock::time_point m_last_activity = Clock::now();
  std::uint64_t m_stdout_bytes = 0;
  std::uint64_t m_stderr_bytes = 0;
};

Result<void> ExecRun::write_stdin(const StdinSource& source) {
  for (;;) {
    if (expired()) return tl::make_unexpected(overdue());
    const auto n = source(m_buf.data(), m_buf.size());
    if (!n) return tl::make_unexpected(fail(Error::Kind::aborted, "stdin source aborted"));
    if (*n == 0) break;
    if (ssh_channel_write(m_channel, m_buf.data(), static_cast<uint32_t>(*n)) == SSH_ERROR) {
      if (ssh_is_connected(m_session) == 0) return tl::make_unexpected(lost());
      // The command stopped reading (exited or closed stdin): its exit status says why.
      break;
    }
    m_last_activity = Clock::now();
  }
  if (ssh_channel_is_open(m_channel) != 0 && ssh_channel_is_eof(m_channel) == 0) {
    ssh_channel_send_eof(m_channel);
  }
  return {};
}

int ExecRun::drain_buffered_stderr() {
  int total = 0;
  for (;;) {
    if (expired()) return total;  // the caller's loop reports it
    const int avail = ssh_channel_poll(m_channel, 1);
    if (avail <= 0) return avail == SSH_ERROR ? SSH_ERROR : total;
    const int r = ssh_channel_read_nonblocking(
        m_channel, m_buf.data(), static_cast<uint32_t>(std::min<std::size_t>(avail, m_buf.size())),
        1);
    if (r == SSH_ERROR) return SSH_ERROR;
    if (r <= 0) return total;
    total = static_cast<int>(std::min<std::int64_t>(INT32_MAX, std::int64_t{total} + r));
    m_stderr_bytes += static_cast<std::uint64_t>(r);
    m_last_activity = Clock::now();
    m_lines.feed(std::string_view(m_buf.data(), static_cast<std::size_t>(r)));
  }
}

Result<void> ExecRun::read_stdout(const StdoutSink& sink) {
  unsigned reads = 0;
  // While stderr flows and stdout does not, wait only briefly for stdout: stderr is buffered
  // only up to the channel window, so a long wait would throttle it to a window per tick.
  int tick_ms = k_read_tick_ms;
  for (;;) {
    const int r = ssh_channel_read_timeout(m_channel, m_buf.data(), k_read_size, 0, tick_ms);
    // Checked on every read, lively or not: a 1-byte-every-2-s drip never stalls.
    if (expired()) return tl::make_unexpected(overdue());
    if (r > 0) {
      m_stdout_bytes += static_cast<std::uint64_t>(r);
      m_last_activity = Clock::now();
      if (!sink(reinterpret_cast<const std::uint8_t*>(m_buf.data()), static_cast<std::size_t>(r))) {
        return tl::make_unexpected(fail(Error::Kind::aborted, "output receiver stopped"));
      }
      // Keep stderr lines timely during long transfers (libssh 0.10 would buffer them anyway).
      if ((++reads & 255U) == 0 && drain_buffered_stderr() == SSH_ERROR) {
        return tl::make_unexpected(lost());
      }
      continue;
    }
    if (r == SSH_ERROR) return tl::make_unexpected(lost());
    // 0: EOF, a read tick without data, or stdout drained while stderr is pending.
    const int out = ssh_channel_poll(m_channel, 0);
    if (out == SSH_EOF) return {};
    if (out == SSH_ERROR || ssh_is_connected(m_session) == 0) return tl::make_unexpected(lost());
    const int drained = drain_buffered_stderr();
    if (drained == SSH_ERROR) return tl::make_unexpected(lost());
    tick_ms = drained > 0 ? 1 : k_read_tick_ms;
    if (out > 0) continue;
    if (ssh_channel_is_closed(m_channel) != 0) return {};
    if (stalled()) return tl::make_unexpected(stall());
  }
}

Result<void> ExecRun::drain_stderr_to_eof() {
  for (;;) {
    if (drain_buffered_stderr() == SSH_ERROR) return tl::make_unexpected(lost());
    const int avail = ssh_channel_poll(m_channel, 1);
    if (avail == SSH_EOF || ssh_channel_is_closed(m_channel) != 0) break;
    if (avail > 0) continue;
    const int r = ssh_channel_read_timeout(m_channel, m_buf.data(), k_read_size, 1, k_read_tick_ms);
    if (expired()) return tl::make_unexpected(overdue());
    if (r == SSH_ERROR) return tl::make_unexpected(lost());
    if (r > 0) {
      m_stderr_bytes += static_cast<std::uint64_t>(r);
      m_last_activity = Clock::now();
      m_lines.feed(std::string_view(m_buf.data(), static_cast<std::size_t>(r)));
    } else if (stalled()) {
      return tl::make_unexpected(stall());
    }
  }
  m_lines.finish();
  return {};
}

Result<ExitStatus> ExecRun::exit_status(const ExitInfo& info) {
  // exit-status/exit-signal usually arrive right after EOF; this waits (bounded by the session
  // timeout) until one of them or the channel close has been processed.
  int fallback = -1;
  if (!info.code && !info.signal) fallback = ssh_channel_get_exit_status(m_channel);
  ExitStatus st;
  st.stdout_bytes = m_stdout_bytes;
  st.stderr_bytes = m_stderr_bytes;
  if (info.signal) {
    st.signal = info.signal;
  } else if (info.code) {
    st.code = *info.code;
  } else if (fallback >= 0) {
    st.code = fallback;
  } else if (ssh_is_connected(m_session) == 0) {
    return tl::make_unexpected(lost());
  } else {
    return tl::make_unexpected(
        fail(Error::Kind::channel, "remote command ended without reporting an exit status"));
  }
  return st;
}

}  // namespace

Result<ExitStatus> LibsshSession::exec(const std::string& command, const StdinSource& stdin_source,
                                       const StdoutSink& stdout_sink,
                                       const StderrLineSink& stderr_sink) {
  auto fail = [&](Error::Kind kind, const std::string& what) {
    Error e;
    e.kind = ssh_is_connected(m_session) == 0 ? Error::Kind::disconnected : kind;
    e.message = what + " on " + describe() + ": " + ssh_get_error(m_session);
    return tl::make_unexpected(std::move(e));
  };
  ChannelPtr channel(ssh_channel_new(m_session));
  if (!channel) return fail(Error::Kind::channel, "cannot create an SSH channel");
  if (ssh_channel_open_session(channel.get()) != SSH_OK) {
    return fail(Error::Kind::channel, "cannot open an SSH session channel");
  }
  ExitInfo info;
  ssh_channel_callbacks_struct callbacks{};
  callbacks.userdata = &info;
  callbacks.channel_exit_status_function = on_exit_status;
  callbacks.channel_exit_signal_function = on_exit_signal;
  ssh_callbacks_init(&callbacks);
  ssh_set_channel_callbacks(channel.get(), &callbacks);
  // On every way out, before `callbacks` and `info` leave the stack: libssh keeps a channel
  // freed while open until the server's close arrives, and would call these callbacks (now
  // dangling) while a later exec on this session polls. A command stopped early (sink refused,
  // deadline, stall) is exactly that case.
  struct CallbackRemover {
    ssh_channel ch;
    ssh_channel_callbacks cb;
    ~CallbackRemover() { ssh_remove_channel_callbacks(ch, cb); }
  } remover{channel.get(), &callbacks};
  if (ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK) {
    return fail(Error::Kind::channel, "cannot start the remote command");
  }

  ExecRun run(m_session, channel.get(), m_options, stderr_sink);
  if (auto r = run.write_stdin(stdin_source); !r) return tl::make_unexpected(r.error());
  if (auto r = run.read_stdout(stdout_sink); !r) return tl::make_unexpected(r.error());
  if (auto r = run.drain_stderr_to_eof(); !r) return tl::make_unexpected(r.error());
  return run.exit_status(info);
}

}  // namespace remote
