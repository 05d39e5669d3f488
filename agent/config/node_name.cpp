#include "agent/config/node_name.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>

namespace agent::config_checks {

std::string this_host_node_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
  std::string host(name.data());
  return host.substr(0, host.find('.'));
}

std::optional<std::string> check_node_name(std::string_view v) {
  const auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  const bool ok = !v.empty() && v.size() <= 63 && alnum(v.front()) && alnum(v.back()) &&
                  std::all_of(v.begin(), v.end(), [&](char c) { return alnum(c) || c == '-'; });
  if (ok) return std::nullopt;
  return "expected a Proxmox node name (letters, digits and '-', at most 63, as `hostname -s` "
         "prints it on the node), got \"" +
         std::string(v.substr(0, 80)) + "\"";
}

}  // namespace agent::config_checks
