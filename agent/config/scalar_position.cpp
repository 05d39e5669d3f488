#include "agent/config/scalar_position.hpp"

namespace agent {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Characters (UTF-8 lead bytes) of `line` before byte `at`, plus one: a 1-based column.
int column_of(std::string_view line, std::size_t at) {
  int column = 1;
  for (std::size_t i = 0; i < at && i < line.size(); ++i)
    column += is_continuation(line[i]) ? 0 : 1;
  return column;
}

// Bytes of the UTF-8 character starting at `at`.
std::size_t char_bytes(std::string_view line, std::size_t at) {
  std::size_t n = 1;
  while (at + n < line.size() && is_continuation(line[at + n])) ++n;
  return n;
}

// Bytes of a double-quoted escape starting at the backslash `at`.
std::size_t escape_bytes(std::string_view line, std::size_t at) {
  if (at + 1 >= line.size()) return 1;
  switch (line[at + 1]) {
    case 'x':
      return 4;
    case 'u':
      return 6;
    case 'U':
      return 10;
    default:
      return 2;
  }
}

}  // namespace

std::optional<SourcePosition> scalar_char_position(std::string_view text, SourcePosition key,
                                                   std::size_t index) {
  if (key.line < 1 || key.column < 1) return std::nullopt;
  std::size_t start = 0;
  for (int l = 1; l < key.line; ++l) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return std::nullopt;
    ++start;
  }
  std::string_view line = text.substr(start, text.find('\n', start) - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t at = static_cast<std::size_t>(key.column - 1);
  if (at >= line.size()) return std::nullopt;
  // Past the key: a quoted key to its closing quote, a plain one to ": ".
  if (line[at] == '"' || line[at] == '\'') {
    const auto close = line.find(line[at], at + 1);
    if (close == std::string_view::npos) return std::nullopt;
    at = close + 1;
  }
  at = line.find(':', at);
  if (at == std::string_view::npos) return std::nullopt;
  ++at;
  while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
  if (at >= line.size() || line[at] == '|' || line[at] == '>') return std::nullopt;

  const char quote = line[at] == '"' || line[at] == '\'' ? line[at] : '\0';
  if (quote != '\0') ++at;
  for (std::size_t n = 0; at < line.size(); ++n) {
    if (quote != '\0' && line[at] == quote) {
      if (quote == '\'' && at + 1 < line.size() && line[at + 1] == '\'') {
        if (n == index) return SourcePosition{key.line, column_of(line, at)};
        at += 2;  // '' is one quote
        continue;
      }
      return std::nullopt;  // the closing quote: the index is past the value
    }
    if (quote == '\0' && (line[at] == '#' && at > 0 && line[at - 1] == ' ')) return std::nullopt;
    if (n == index) return SourcePosition{key.line, column_of(line, at)};
    at += quote == '"' && line[at] == '\\' ? escape_bytes(line, at) : char_bytes(line, at);
  }
  return std::nullopt;  // a quoted value that goes on below, or the index is past the end
}

}  // namespace agent
