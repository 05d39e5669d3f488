#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "remote/ssh_session.hpp"

namespace remote {

// Turns stderr bytes into lines for a StderrLineSink: splits on '\n', drops a trailing '\r',
// splits lines longer than k_max_line, and flushes an unterminated last line on finish().
class LineSplitter {
 public:
  static constexpr std::size_t k_max_line = 64 * 1024;

  explicit LineSplitter(const StderrLineSink& sink) : m_sink(sink) {}
  void feed(std::string_view bytes);
  void finish();

 private:
  void emit(std::string_view line);
  const StderrLineSink& m_sink;
  std::string m_pending;
};

}  // namespace remote
