#include "tests/support/fake_ssh_session.hpp"

#include <algorithm>

namespace remote {

Result<ExitStatus> FakeSshSession::exec(const std::string& command, const StdinSource& stdin_source,
                                        const StdoutSink& stdout_sink,
                                        const StderrLineSink& stderr_sink) {
  Call call{command, {}};
  char buf[4096];
  for (;;) {
    const auto n = stdin_source(buf, sizeof buf);
    if (!n) {
      m_calls.push_back(std::move(call));
      return tl::make_unexpected(Error{Error::Kind::aborted, "stdin source aborted", 0});
    }
    if (*n == 0) break;
    call.stdin_data.append(buf, *n);
  }
  m_calls.push_back(std::move(call));
  if (m_next >= m_script.size()) {
    return tl::make_unexpected(
        Error{Error::Kind::channel, "fake session: no scripted reply for: " + command, 0});
  }
  const FakeCommand& fc = m_script[m_next++];
  ExitStatus st;
  for (const auto& line : fc.stderr_lines) {
    if (stderr_sink) stderr_sink(line);
    st.stderr_bytes += line.size() + 1;
  }
  const auto* data = reinterpret_cast<const std::uint8_t*>(fc.stdout_data.data());
  for (std::size_t off = 0; off < fc.stdout_data.size();) {
    const std::size_t n = std::min(fc.chunk_size, fc.stdout_data.size() - off);
    if (!stdout_sink(data + off, n)) {
      return tl::make_unexpected(Error{Error::Kind::aborted, "output receiver stopped", off});
    }
    off += n;
    st.stdout_bytes = off;
  }
  if (fc.error) {
    Error e = *fc.error;
    e.stdout_bytes = st.stdout_bytes;
    return tl::make_unexpected(std::move(e));
  }
  st.code = fc.signal ? -1 : fc.exit_code;
  st.signal = fc.signal;
  return st;
}

}  // namespace remote
