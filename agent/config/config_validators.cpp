#include "agent/config/config_validators.hpp"

#include <algorithm>
#include <cctype>
#include <system_error>

namespace agent::config_checks {
namespace {

std::string quoted(std::string_view v) {
  std::string text(v.substr(0, 60));
  if (v.size() > 60) text += "...";
  return "\"" + text + "\"";
}

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::optional<std::string> check_api_url(std::string_view value) {
  const std::string expected = "expected https://HOST[:PORT] (without /api2/json), got ";
  constexpr std::string_view scheme = "https://";
  if (value.substr(0, scheme.size()) != scheme) {
    return "expected an https:// URL (the API token must not travel in clear text), got " +
           quoted(value);
  }
  std::string_view rest = value.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ \t") != std::string_view::npos) {
    return expected + quoted(value);
  }
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find(']') == std::string_view::npos) {
    const std::string_view port = rest.substr(colon + 1);
    const bool digits =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) {
      return expected + quoted(value);
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_token_id(std::string_view value) {
  const auto at = value.find('@');
  const auto bang = value.find('!');
  if (at == std::string_view::npos || bang == std::string_view::npos || at == 0 || bang < at + 2 ||
      bang + 1 >= value.size() || value.find_first_of(" \t\n") != std::string_view::npos) {
    return "expected an API token ID USER@REALM!TOKENNAME (e.g. smokerbak@pve!agent), got " +
           quoted(value);
  }
  return std::nullopt;
}

std::optional<std::string> check_fingerprint(std::string_view value) {
  bool ok = value.size() == 32 * 3 - 1;
  for (std::size_t i = 0; ok && i < value.size(); ++i) {
    ok = (i % 3 == 2) ? value[i] == ':' : is_hex(value[i]);
  }
  if (!ok) {
    return "expected a SHA-256 fingerprint as 32 colon-separated hex bytes (AB:CD:...), got " +
           quoted(value);
  }
  return std::nullopt;
}

std::optional<std::string> check_target_name(std::string_view value) {
  const bool ok = !value.empty() && value.size() <= 64 && is_alnum(value.front()) &&
                  std::all_of(value.begin(), value.end(), [](char c) {
                    return is_alnum(c) || c == '.' || c == '_' || c == '-';
                  });
  if (!ok) {
    return "expected 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit "
           "(it names a directory), got " +
           quoted(value);
  }
  return std::nullopt;
}

std::optional<std::string> check_storage_id(std::string_view value) {
  const bool ok = !value.empty() && std::isalpha(static_cast<unsigned char>(value.front())) &&
                  std::all_of(value.begin(), value.end(), [](char c) {
                    return is_alnum(c) || c == '-' || c == '_' || c == '.';
                  });
  if (!ok) {
    return "expected a Proxmox storage ID (a letter, then letters, digits, - _ .), got " +
           quoted(value);
  }
  return std::nullopt;
}

std::optional<std::string> check_database_name(std::string_view value) {
  const bool ok = !value.empty() && value.size() <= 63 &&
                  value.find_first_of(std::string_view("/\\.\" $\0", 7)) == std::string_view::npos;
  if (!ok) {
    return "expected a MongoDB database name (1-63 bytes, none of / \\ . \" $ or space), got " +
           quoted(value);
  }
  return std::nullopt;
}

std::optional<std::string> check_timezone(std::string_view value,
                                          const std::filesystem::path& zoneinfo_dir) {
  if (value == "local") return std::nullopt;
  const bool shaped = !value.empty() && value.front() != '/' &&
                      value.find("..") == std::string_view::npos &&
                      std::all_of(value.begin(), value.end(), [](char c) {
                        return is_alnum(c) || c == '/' || c == '_' || c == '-' || c == '+';
                      });
  std::error_code ec;
  if (!shaped || !std::filesystem::is_regular_file(zoneinfo_dir / std::string(value), ec)) {
    return "expected \"local\" or an IANA time zone name such as Europe/Berlin (one that exists "
           "under " +
           zoneinfo_dir.string() + "), got " + quoted(value);
  }
  return std::nullopt;
}

std::optional<std::string> check_secret_ref(std::string_view value) {
  if (value.empty()) return "expected a file path or credential name, got an empty value";
  if (value.front() == '/') return std::nullopt;
  if (value.find('/') == std::string_view::npos && value != "." && value != "..") {
    return std::nullopt;
  }
  return "expected an absolute path or a bare systemd credential name, got " + quoted(value);
}

}  // namespace agent::config_checks
