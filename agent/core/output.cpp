#include "agent/core/output.hpp"

#include <ostream>
#include <string>

#include "agent/core/log.hpp"

namespace agent {

void Output::error(std::string_view what) { message("pve-smokerbak: " + std::string(what) + "\n"); }

void StreamOutput::result(std::string_view text) {
  m_out << redact(text);
  m_out.flush();
}

void StreamOutput::message(std::string_view text) {
  m_err << redact(text);
  m_err.flush();
}

}  // namespace agent
