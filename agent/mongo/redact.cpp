#include <string>
#include <string_view>

#include "agent/core/log.hpp"
#include "agent/mongo/redact.hpp"

namespace agent::mongo {

std::string redact_mongo_line(std::string_view line) {
  std::string s = agent::redact(line);
  // mongodb://user:password@host or mongodb+srv://…: keep the user, hide the password.
  for (std::size_t pos = 0; (pos = s.find("://", pos)) != std::string::npos; pos += 3) {
    const std::size_t start = pos + 3;
    const std::size_t end = s.find_first_of("@/ \t\"'`", start);
    if (end == std::string::npos || s[end] != '@') continue;
    const std::size_t colon = s.find(':', start);
    if (colon == std::string::npos || colon > end) continue;
    s.replace(colon + 1, end - colon - 1, "***");
  }
  return s;
}

}  // namespace agent::mongo
