#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

// What a command shows the person or script that ran it: its results (tables, plans,
// summaries, JSON) and its messages to that person (problems, what it is doing). Separate from
// the log (agent/core/log.hpp), which records what the agent did, for the journal. Commands
// write only through this; tiers write through neither (they return outcomes and plans).
//
// Text for people is made safe here, once, so no caller can forget: result() and message()
// escape, line by line, every control character and invalid UTF-8 byte (agent/core/
// safe_text.hpp: ESC, CR, C1, bidi overrides...) while keeping the line breaks and tabs the
// text has, so the agent's own tables and multi-line messages look as they are built, and
// remote text inside them (mongodump lines, notes, task logs, error messages) cannot act on
// the terminal. json() writes a document exactly as given: JSON escapes control characters
// itself and its consumers need every byte.
namespace agent {

class Output {
 public:
  virtual ~Output() = default;
  // A result, on stdout (the caller ends its lines), made safe to show.
  void result(std::string_view text);
  // A message for the person, on stderr, made safe to show.
  void message(std::string_view text);
  // A machine-readable result (JSON) on stdout, exactly as given.
  void json(std::string_view text);
  // The one-line form of a command's own error: "pve-smokerbak: <what>\n" on stderr.
  void error(std::string_view what);

 protected:
  // Where the bytes go, unchanged.
  virtual void write_result(std::string_view text) = 0;
  virtual void write_message(std::string_view text) = 0;
};

// `text` with escape_control_chars applied to each line, the '\n' between lines kept.
std::string safe_lines(std::string_view text);

// Results to `out`, messages to `err` (std::cout and std::cerr in the program; string streams
// in tests). The streams must outlive it. Like the log, it scrubs every registered secret
// (agent/core/log.hpp) from what it writes: under systemd stderr is the journal too, and no
// command's message may carry a secret whichever text it quotes.
class StreamOutput final : public Output {
 public:
  StreamOutput(std::ostream& out, std::ostream& err) : m_out(out), m_err(err) {}

 protected:
  void write_result(std::string_view text) override;
  void write_message(std::string_view text) override;

 private:
  std::ostream& m_out;
  std::ostream& m_err;
};

}  // namespace agent
