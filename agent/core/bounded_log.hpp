#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

// A log of lines from outside (mongodump's stderr) kept within a fixed size whatever arrives:
// the first `head_bytes` are kept for good, then a sliding window of the last `tail_bytes`;
// what falls between them is counted and replaced by one line that says how much was cut.
// Memory stays below head_bytes + tail_bytes + one line, so a flood of stderr neither grows
// the process nor the stored log.
namespace agent {

class BoundedLog {
 public:
  static constexpr std::size_t k_default_head_bytes = 1024 * 1024;
  static constexpr std::size_t k_default_tail_bytes = 1024 * 1024;

  explicit BoundedLog(std::size_t head_bytes = k_default_head_bytes,
                      std::size_t tail_bytes = k_default_tail_bytes);

  // Where add_line put a line. A head line is final (it may be written out at once); a tail
  // line may still be pushed out by later ones.
  enum class Kept { head, tail };

  // Adds one line, without its terminator. Each line counts as its size + 1 (the newline).
  // A line longer than the whole tail window keeps only its last tail_bytes - 1 bytes.
  Kept add_line(std::string_view line);

  // Everything kept, each line followed by '\n': head, the cut line (when anything was cut),
  // tail.
  std::string text() const;
  // What text() has after the head: the cut line (if any) and the tail. For a caller that
  // wrote the head lines out as add_line returned Kept::head.
  std::string tail_text() const;
  // "[... 1234 lines (300.0 MiB) of the remote log were cut here; kept: the first 1.0 MiB and
  // the last 1.0 MiB ...]", or "" when nothing was cut.
  std::string cut_line() const;

  bool cut() const { return m_cut_lines > 0 || m_cut_bytes > 0; }
  std::uint64_t lines_seen() const { return m_lines_seen; }
  std::uint64_t bytes_seen() const { return m_bytes_seen; }
  std::uint64_t cut_lines() const { return m_cut_lines; }
  std::uint64_t cut_bytes() const { return m_cut_bytes; }
  const std::string& head() const { return m_head; }

 private:
  std::size_t m_head_limit, m_tail_limit;
  std::string m_head;
  bool m_head_closed = false;
  std::deque<std::string> m_tail;
  std::size_t m_tail_bytes = 0;
  std::uint64_t m_lines_seen = 0, m_bytes_seen = 0, m_cut_lines = 0, m_cut_bytes = 0;
};

}  // namespace agent
