#include "proxmox/vzdump_options.hpp"

#include <vector>

namespace proxmox {
namespace {

bool is_word(char c) {
  const auto u = static_cast<unsigned char>(c);
  // Perl's \w on a decoded string also takes non-ASCII letters: accept any non-ASCII byte.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         u >= 0x80;
}

// EMAIL_USER_RE = [\w\+\-\~]+(\.[\w\+\-\~]+)*
bool is_user_part(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_word(c) && c != '+' && c != '-' && c != '~') {
      return false;
    }
    prev = c;
  }
  return true;
}

// [a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*
bool is_domain(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = '.';
  for (char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!alnum && c != '-') {
      return false;
    }
    prev = c;
  }
  return true;
}

bool is_email_or_user(std::string_view s) {
  const std::size_t at = s.find('@');
  if (at == std::string_view::npos) return is_user_part(s);
  return is_user_part(s.substr(0, at)) && is_domain(s.substr(at + 1));
}

std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  const bool nul = s.find('\0') != std::string_view::npos;
  auto sep = [&](char c) {
    if (nul) return c == '\0';
    return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  };
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && sep(s[i])) ++i;
    std::size_t j = i;
    while (j < s.size() && !sep(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string enum_error(std::string_view value, const char* list) {
  return "value '" + std::string(value) + "' does not have a value in the enumeration '" + list +
         "'";
}

}  // namespace

std::optional<std::string> vzdump_option_error(std::string_view key, std::string_view value) {
  if (key == "notification-mode") {
    if (value == "auto" || value == "legacy-sendmail" || value == "notification-system") {
      return std::nullopt;
    }
    return enum_error(value, "auto, legacy-sendmail, notification-system");
  }
  if (key == "pbs-change-detection-mode") {
    if (value == "legacy" || value == "data" || value == "metadata") return std::nullopt;
    return enum_error(value, "legacy, data, metadata");
  }
  if (key == "mailto") {
    for (const auto item : split_list(value)) {
      if (!is_email_or_user(item)) {
        return std::string(
            "invalid format - value does not look like a valid email address or user name");
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace proxmox
