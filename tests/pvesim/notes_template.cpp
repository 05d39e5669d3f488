#include "tests/pvesim/notes_template.hpp"

#include <vector>

namespace pvesim {
namespace {

bool is_var_char(char c) { return c != '{' && c != '}' && c != ' ' && c != '\t' && c != '\n'; }

// Finds "{{name}}" at `i`; returns the length of the whole match or 0.
std::size_t var_at(const std::string& s, std::size_t i, std::string& name) {
  if (s.compare(i, 2, "{{") != 0) return 0;
  std::size_t j = i + 2;
  while (j < s.size() && is_var_char(s[j])) ++j;
  if (j == i + 2 || s.compare(j, 2, "}}") != 0) return 0;
  name = s.substr(i + 2, j - i - 2);
  return j + 2 - i;
}

bool known_var(const std::string& n) {
  return n == "cluster" || n == "guestname" || n == "node" || n == "vmid";
}

}  // namespace

std::optional<std::string> notes_template_error(const std::string& tmpl) {
  if (tmpl.find('\n') != std::string::npos || tmpl.find('\r') != std::string::npos) {
    return "contains a line feed";
  }
  std::vector<std::string> unknown;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '\\') {
      const char next = i + 1 < tmpl.size() ? tmpl[i + 1] : '\0';
      if (next != 'n' && next != '\\') {
        unknown.push_back("escape sequence '\\" + std::string(next ? 1 : 0, next) + "' at char " +
                          std::to_string(i));
      }
      ++i;
      continue;
    }
    std::string name;
    if (const std::size_t len = var_at(tmpl, i, name); len != 0) {
      if (!known_var(name)) {
        unknown.push_back("variable '" + name + "' at char " + std::to_string(i));
      }
      i += len - 1;
    }
  }
  if (unknown.empty()) return std::nullopt;
  std::string text = "found unknown: ";
  for (std::size_t k = 0; k < unknown.size(); ++k) text += (k ? ", " : "") + unknown[k];
  return text;
}

std::string expand_notes_template(const std::string& tmpl,
                                  const std::map<std::string, std::string>& vars) {
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
    std::string name;
    if (const std::size_t len = var_at(unescaped, i, name); len != 0 && vars.count(name)) {
      out += vars.at(name);
      i += len - 1;
    } else {
      out += unescaped[i];
    }
  }
  return out;
}

}  // namespace pvesim
