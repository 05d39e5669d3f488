#include "tests/fake_mongo/fake_env.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>

namespace fake_mongo {

std::string FakeConfig::get(const std::string& key, const std::string& fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second;
}

std::uint64_t FakeConfig::get_u64(const std::string& key, std::uint64_t fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : std::stoull(it->second);
}

FakeConfig load_fake_config() {
  FakeConfig c;
  if (const char* env = std::getenv("FAKE_MONGO_DIR"); env != nullptr && *env != '\0') {
    c.dir = env;
  } else {
    std::error_code ec;
    c.dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / "fake-mongo.d";
  }
  std::ifstream in(c.dir / "config");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    c.values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return c;
}

void log_line(const std::string& message) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char ts[40];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  std::fprintf(stderr, "%s.%03d+0000\t%s\n", ts, static_cast<int>(ms), message.c_str());
  std::fflush(stderr);
}

std::string read_password_from_stdin() {
  log_line("reading password from standard input");
  std::fprintf(stderr, "Enter password for mongo user:\n");
  std::fflush(stderr);
  std::string pw;
  for (;;) {
    char ch = 0;
    const ssize_t n = ::read(0, &ch, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (ch == '\n' || ch == '\r' || ch == 0x03 || ch == 0x04) break;
    if (ch == 0) continue;
    if (ch == 0x08 || ch == 0x7F) {
      if (!pw.empty()) pw.pop_back();
      continue;
    }
    pw.push_back(ch);
  }
  return pw;
}

bool write_all(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

ToolArgs::ToolArgs(int argc, char** argv,
                   std::function<void(const std::string& message)> missing_value)
    : m_argc(argc), m_argv(argv), m_missing_value(std::move(missing_value)) {}

bool ToolArgs::next() {
  if (++m_i >= m_argc) return false;
  m_arg = m_argv[m_i];
  m_key = m_arg;
  m_value.clear();
  m_has_value = false;
  if (const auto eq = m_arg.find('='); m_arg.rfind("--", 0) == 0 && eq != std::string::npos) {
    m_key = m_arg.substr(0, eq);
    m_value = m_arg.substr(eq + 1);
    m_has_value = true;
  }
  return true;
}

std::string ToolArgs::value() {
  if (m_has_value) return m_value;
  if (m_i + 1 >= m_argc) m_missing_value("expected argument for flag `" + m_key + "'");
  return m_argv[++m_i];
}

}  // namespace fake_mongo
