#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

// Shared plumbing of the stand-in mongodump/mongorestore: where their settings live, the log
// line format and reading the password from stdin exactly as the real tools do.
namespace fake_mongo {

// Settings come from "<dir>/config" (key=value lines, '#' comments), where <dir> is
// $FAKE_MONGO_DIR, else "<directory of the executable>/fake-mongo.d". The file form exists
// because sshd sessions do not pass arbitrary environment variables; a test can also run the
// tool as `env FAKE_MONGO_DIR=... mongodump ...` through the configured command prefix.
struct FakeConfig {
  std::filesystem::path dir;
  std::map<std::string, std::string> values;
  std::string get(const std::string& key, const std::string& fallback = "") const;
  std::uint64_t get_u64(const std::string& key, std::uint64_t fallback) const;
};
FakeConfig load_fake_config();

// "<ts>\t<message>\n" on stderr, ts in Go layout 2006-01-02T15:04:05.000-0700 (UTC here).
void log_line(const std::string& message);

// docs/mongodump-format.md section 1: logs "reading password from standard input", prints the
// prompt, then reads stdin one byte at a time up to \n, \r, 0x03, 0x04 or EOF (so the rest of stdin
// stays unread, which mongorestore --archive relies on).
std::string read_password_from_stdin();

// Walks a mongo tool's command line as the Go tools read it: "--key=value", "--key value" and
// bare flags. `missing_value` is called (and must not return) when a flag wants a value and
// none follows.
class ToolArgs {
 public:
  ToolArgs(int argc, char** argv, std::function<void(const std::string& message)> missing_value);
  // Advances to the next argument; false after the last.
  bool next();
  const std::string& arg() const { return m_arg; }  // as given
  const std::string& key() const { return m_key; }  // "--archive" of "--archive=x"
  bool has_value() const { return m_has_value; }
  const std::string& inline_value() const { return m_value; }
  // The inline value, else the next argument.
  std::string value();

 private:
  int m_argc;
  char** m_argv;
  std::function<void(const std::string&)> m_missing_value;
  int m_i = 0;
  std::string m_arg, m_key, m_value;
  bool m_has_value = false;
};

// Writes everything to fd or returns false (EPIPE etc.).
bool write_all(int fd, const std::uint8_t* data, std::size_t size);

}  // namespace fake_mongo
