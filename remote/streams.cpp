#include <algorithm>
#include <cstring>
#include <memory>

#include "remote/ssh_session.hpp"

namespace remote {

StdinSource no_stdin() {
  return [](char*, std::size_t) -> std::optional<std::size_t> { return 0; };
}

StdinSource stdin_from_string(std::string data) {
  // Shared so the std::function stays copyable; the offset advances across calls.
  auto state = std::make_shared<std::pair<std::string, std::size_t>>(std::move(data), 0);
  return [state](char* buf, std::size_t size) -> std::optional<std::size_t> {
    auto& [bytes, offset] = *state;
    const std::size_t n = std::min(size, bytes.size() - offset);
    std::memcpy(buf, bytes.data() + offset, n);
    offset += n;
    return n;
  };
}

std::string shell_quote(std::string_view arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

}  // namespace remote
