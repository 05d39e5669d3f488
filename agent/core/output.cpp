#include "agent/core/output.hpp"

#include <ostream>
#include <string>

#include "agent/core/log.hpp"
#include "agent/core/safe_text.hpp"

namespace agent {

std::string safe_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (;;) {
    const auto nl = text.find('\n');
    out += escape_control_chars(text.substr(0, nl), Tabs::keep);
    if (nl == std::string_view::npos) break;
    out.push_back('\n');
    text.remove_prefix(nl + 1);
  }
  return out;
}

void Output::result(std::string_view text) { write_result(safe_lines(text)); }

void Output::message(std::string_view text) { write_message(safe_lines(text)); }

void Output::json(std::string_view text) { write_result(text); }

void Output::error(std::string_view what) { message("pve-smokerbak: " + std::string(what) + "\n"); }

void StreamOutput::write_result(std::string_view text) {
  m_out << redact(text);
  m_out.flush();
}

void StreamOutput::write_message(std::string_view text) {
  m_err << redact(text);
  m_err.flush();
}

}  // namespace agent
