#pragma once

#include <optional>
#include <string>
#include <vector>

#include "remote/ssh_session.hpp"

namespace remote {

// What the fake "remote side" does for one exec call.
struct FakeCommand {
  std::string stdout_data;                // delivered to the stdout sink in chunk_size pieces
  std::vector<std::string> stderr_lines;  // delivered before stdout_data
  int exit_code = 0;
  std::optional<std::string> signal;  // ended by this signal instead of exit_code
  std::optional<Error> error;         // fail with this after delivering stdout_data
  std::size_t chunk_size = 32 * 1024;
};

// An SshSession for unit tests of agent code: replays scripted FakeCommands in order and
// records each command line and the stdin it received. Not a stand-in for the transport
// itself, which is tested against a real sshd (tests/remote).
class FakeSshSession final : public SshSession {
 public:
  struct Call {
    std::string command;
    std::string stdin_data;
  };

  explicit FakeSshSession(std::vector<FakeCommand> script) : m_script(std::move(script)) {}

  Result<ExitStatus> exec(const std::string& command, const StdinSource& stdin_source,
                          const StdoutSink& stdout_sink,
                          const StderrLineSink& stderr_sink) override;
  std::string describe() const override { return "fake@localhost:22"; }

  const std::vector<Call>& calls() const { return m_calls; }

 private:
  std::vector<FakeCommand> m_script;
  std::size_t m_next = 0;
  std::vector<Call> m_calls;
};

}  // namespace remote
