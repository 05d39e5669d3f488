#include "remote/line_splitter.hpp"

namespace remote {

void LineSplitter::emit(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (m_sink) m_sink(line);
}

void LineSplitter::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto nl = bytes.find('\n');
    const auto take = nl == std::string_view::npos ? bytes.size() : nl;
    m_pending.append(bytes.substr(0, take));
    while (m_pending.size() > k_max_line) {
      emit(std::string_view(m_pending).substr(0, k_max_line));
      m_pending.erase(0, k_max_line);
    }
    if (nl == std::string_view::npos) return;
    emit(m_pending);
    m_pending.clear();
    bytes.remove_prefix(nl + 1);
  }
}

void LineSplitter::finish() {
  if (!m_pending.empty()) emit(m_pending);
  m_pending.clear();
}

}  // namespace remote
