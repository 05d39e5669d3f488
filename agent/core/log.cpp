#include "agent/core/log.hpp"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "agent/core/safe_text.hpp"

namespace agent {
namespace {

// "%*" in a pattern: the sd-daemon(3) priority prefix for the message's level.
class SyslogPriorityFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const char* prefix = "<6>";
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        prefix = "<7>";
        break;
      case spdlog::level::info:
        prefix = "<6>";
        break;
      case spdlog::level::warn:
        prefix = "<4>";
        break;
      case spdlog::level::err:
        prefix = "<3>";
        break;
      case spdlog::level::critical:
        prefix = "<2>";
        break;
      default:
        break;
    }
    dest.append(prefix, prefix + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SyslogPriorityFlag>();
  }
};

std::mutex g_secrets_mutex;
std::vector<std::string> g_secrets;

// Scrubs every registered secret from each message before the wrapped sink formats it, so no
// log call anywhere can leak one (redaction is not left to each call site), and escapes what a
// terminal or the journal would act on (control characters, invalid UTF-8: remote text is
// logged too), so one message stays one line.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner) : m_inner(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string clean = escape_control_chars(
        redact(std::string_view(msg.payload.data(), msg.payload.size())), Tabs::keep);
    spdlog::details::log_msg copy(msg);
    copy.payload = clean;
    m_inner->log(copy);
  }
  void flush_() override { m_inner->flush(); }
  // The wrapped sink formats: it gets the pattern and formatter.
  void set_pattern_(const std::string& pattern) override { m_inner->set_pattern(pattern); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    m_inner->set_formatter(std::move(formatter));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> m_inner;
};

}  // namespace

void setup_logging(std::string_view level) {
  auto sink = std::make_shared<RedactingSink>(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto logger = std::make_shared<spdlog::logger>("pve-smokerbak", sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<SyslogPriorityFlag>('*');
  const bool under_journal = std::getenv("JOURNAL_STREAM") != nullptr;
  formatter->set_pattern(under_journal ? "%*%v" : "%Y-%m-%d %H:%M:%S %^%-5l%$ %v");
  logger->set_formatter(std::move(formatter));
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off) lvl = spdlog::level::info;
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
}

void register_secret(const std::string& secret) {
  if (secret.size() < 4) return;  // too short to redact without mangling ordinary text
  std::lock_guard lock(g_secrets_mutex);
  g_secrets.push_back(secret);
}

std::string redact(std::string_view text) {
  std::string out(text);
  std::lock_guard lock(g_secrets_mutex);
  for (const auto& secret : g_secrets) {
    for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3)) {
      out.replace(pos, secret.size(), "***");
    }
  }
  return out;
}

}  // namespace agent
