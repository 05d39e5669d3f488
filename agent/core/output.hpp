#pragma once

#include <iosfwd>
#include <string_view>

// What a command shows the person or script that ran it: its results (tables, plans,
// summaries, JSON) and its messages to that person (problems, what it is doing). Separate from
// the log (agent/core/log.hpp), which records what the agent did, for the journal. Commands
// write only through this; tiers write through neither (they return outcomes and plans).
namespace agent {

class Output {
 public:
  virtual ~Output() = default;
  // A result, on stdout, as given (the caller ends its lines).
  virtual void result(std::string_view text) = 0;
  // A message for the person, on stderr, as given.
  virtual void message(std::string_view text) = 0;
  // The one-line form of a command's own error: "pve-smokerbak: <what>\n" on stderr.
  void error(std::string_view what);
};

// Results to `out`, messages to `err` (std::cout and std::cerr in the program; string streams
// in tests). The streams must outlive it. Like the log, it scrubs every registered secret
// (agent/core/log.hpp) from what it writes: under systemd stderr is the journal too, and no
// command's message may carry a secret whichever text it quotes.
class StreamOutput final : public Output {
 public:
  StreamOutput(std::ostream& out, std::ostream& err) : m_out(out), m_err(err) {}
  void result(std::string_view text) override;
  void message(std::string_view text) override;

 private:
  std::ostream& m_out;
  std::ostream& m_err;
};

}  // namespace agent
