#include "agent/core/output.hpp"

#include <ostream>
#include <string>

namespace agent {

void Output::error(std::string_view what) { message("pve-smokerbak: " + std::string(what) + "\n"); }

void StreamOutput::result(std::string_view text) {
  m_out << text;
  m_out.flush();
}

void StreamOutput::message(std::string_view text) {
  m_err << text;
  m_err.flush();
}

}  // namespace agent
