#include "tests/pvesim/notes_template.hpp"

#include <vector>

namespace pvesim {
namespace {

// The template split into characters as Perl sees the decoded string: a UTF-8 sequence per
// character, a stray byte as one character (Encode's replacement).
std::vector<std::string> chars_of(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + n > s.size()) n = 1;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) n = 1;
    }
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

bool is_space(const std::string& c) {
  return c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\f" || c == "\v" ||
         c == "\xC2\xA0" || c == "\xC2\x85";
}

bool known_var(const std::string& n) {
  return n == "cluster" || n == "guestname" || n == "node" || n == "vmid";
}

}  // namespace

std::optional<std::string> notes_template_length_error(const std::string& tmpl) {
  if (chars_of(tmpl).size() > 1024) return "value may only be 1024 characters long";
  return std::nullopt;
}

std::optional<std::string> notes_template_error(const std::string& tmpl) {
  if (tmpl.find('\n') != std::string::npos) return "contains a line feed";
  const auto cs = chars_of(tmpl);
  std::vector<std::string> problems;
  // while ($template =~ /\\(.)/g): push "... at char " . (pos - 2)
  for (std::size_t i = 0; i + 1 < cs.size(); ++i) {
    if (cs[i] != "\\") continue;
    if (cs[i + 1] != "n" && cs[i + 1] != "\\") {
      problems.push_back("escape sequence '\\" + cs[i + 1] + "' at char " + std::to_string(i));
    }
    ++i;
  }
  // while ($template =~ /\{\{([^\s{}]+)\}\}/g): push "... at char " . (pos - length($var))
  for (std::size_t i = 0; i + 4 < cs.size(); ++i) {
    if (cs[i] != "{" || cs[i + 1] != "{") continue;
    std::size_t j = i + 2;
    std::string name;
    while (j < cs.size() && cs[j] != "{" && cs[j] != "}" && !is_space(cs[j])) name += cs[j++];
    if (j == i + 2 || j + 1 >= cs.size() || cs[j] != "}" || cs[j + 1] != "}") continue;
    const std::size_t pos = j + 2;
    if (!known_var(name)) {
      problems.push_back("variable '" + name + "' at char " + std::to_string(pos - (j - i - 2)));
    }
    i = j + 1;
  }
  if (problems.empty()) return std::nullopt;
  std::string text = "found unknown: ";
  for (std::size_t k = 0; k < problems.size(); ++k) text += (k ? ", " : "") + problems[k];
  return text;
}

std::string expand_notes_template(const std::string& tmpl,
                                  const std::map<std::string, std::string>& vars) {
  // $notes_template =~ s/\\(.)/$unescape->($1)/eg; then s/\{\{($vars)\}\}/$info->{$1}/g
  std::string unescaped;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '\\' && i + 1 < tmpl.size()) {
      unescaped += tmpl[i + 1] == 'n' ? '\n' : tmpl[i + 1];
      ++i;
    } else {
      unescaped += tmpl[i];
    }
  }
  std::string out;
  for (std::size_t i = 0; i < unescaped.size(); ++i) {
    bool replaced = false;
    if (unescaped.compare(i, 2, "{{") == 0) {
      for (const auto& [name, value] : vars) {
        if (unescaped.compare(i + 2, name.size() + 2, name + "}}") == 0) {
          out += value;
          i += name.size() + 3;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += unescaped[i];
  }
  return out;
}

}  // namespace pvesim
