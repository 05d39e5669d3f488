#include "agent/core/bounded_log.hpp"

#include <algorithm>

#include "agent/core/human_format.hpp"

namespace agent {

BoundedLog::BoundedLog(std::size_t head_bytes, std::size_t tail_bytes)
    : m_head_limit(head_bytes), m_tail_limit(std::max<std::size_t>(tail_bytes, 2)) {}

BoundedLog::Kept BoundedLog::add_line(std::string_view line) {
  ++m_lines_seen;
  m_bytes_seen += line.size() + 1;
  if (!m_head_closed && m_head.size() + line.size() + 1 <= m_head_limit) {
    m_head.append(line).push_back('\n');
    return Kept::head;
  }
  m_head_closed = true;  // later lines never jump back into the head: it stays a prefix
  if (line.size() + 1 > m_tail_limit) {
    const std::size_t keep = m_tail_limit - 1;
    m_cut_bytes += line.size() - keep;
    line = line.substr(line.size() - keep);
  }
  m_tail.emplace_back(line);
  m_tail_bytes += line.size() + 1;
  while (m_tail_bytes > m_tail_limit) {
    m_tail_bytes -= m_tail.front().size() + 1;
    m_cut_bytes += m_tail.front().size() + 1;
    ++m_cut_lines;
    m_tail.pop_front();
  }
  return Kept::tail;
}

std::string BoundedLog::cut_line() const {
  if (!cut()) return "";
  return "[... " + std::to_string(m_cut_lines) + " lines (" + human_bytes(m_cut_bytes) +
         ") of the remote log were cut here; kept: the first " + human_bytes(m_head.size()) +
         " and the last " + human_bytes(m_tail_bytes) + " of " + human_bytes(m_bytes_seen) +
         " ...]";
}

std::string BoundedLog::tail_text() const {
  std::string out;
  if (cut()) out += cut_line() + "\n";
  for (const auto& l : m_tail) out.append(l).push_back('\n');
  return out;
}

std::string BoundedLog::text() const { return m_head + tail_text(); }

}  // namespace agent
