#include "proxmox/pct_config.hpp"

#include <algorithm>
#include <charconv>

#include "proxmox/text.hpp"

namespace proxmox {
namespace {

constexpr std::size_t k_max_lines = 4096;
constexpr std::size_t k_max_bytes = 1 << 20;
constexpr int k_max_nets = 32;           // Config.pm MAX_LXC_NETWORKS
constexpr int k_max_mount_points = 256;  // Config.pm MAX_MOUNT_POINTS

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// "<prefix><digits>" -> the number, or -1.
int indexed(std::string_view key, std::string_view prefix) {
  if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix) return -1;
  const std::string_view digits = key.substr(prefix.size());
  if (digits.size() > 3 || (digits.size() > 1 && digits.front() == '0')) return -1;
  int v = 0;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return -1;
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// ParseUtils.pm decode_text: uri_unescape, then UTF-8 (bad bytes become U+FFFD here).
std::string decode_text(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return text::to_valid_utf8(out);
}

// [a-z][a-z_]*\d*
bool valid_key(std::string_view k) {
  if (k.empty() || k.front() < 'a' || k.front() > 'z') return false;
  std::size_t i = 1;
  while (i < k.size() && ((k[i] >= 'a' && k[i] <= 'z') || k[i] == '_')) ++i;
  while (i < k.size() && k[i] >= '0' && k[i] <= '9') ++i;
  return i == k.size();
}

// lxc.[a-z0-9_\-\.]+
bool valid_lxc_key(std::string_view k) {
  if (k.size() <= 4 || k.substr(0, 4) != "lxc.") return false;
  return std::all_of(k.begin() + 4, k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
  });
}

std::string prop(const PropertyList& props, std::string_view key) {
  for (const auto& [k, v] : props) {
    if (k == key) return v;
  }
  return {};
}

}  // namespace

PropertyList parse_property_string(std::string_view text, std::string_view default_key) {
  PropertyList out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(start, end - start);
    start = end + 1;
    if (trim(part).empty()) continue;
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(std::string(default_key), std::string(part));
    } else {
      out.emplace_back(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
    }
  }
  return out;
}

std::string print_property_string(const PropertyList& props, std::string_view default_key,
                                  bool bare_default) {
  std::string out;
  auto add = [&](const std::string& k, const std::string& v, bool bare) {
    if (!out.empty()) out += ',';
    out += bare ? v : k + "=" + v;
  };
  for (const auto& [k, v] : props) {
    if (!default_key.empty() && k == default_key) add(k, v, bare_default);
  }
  for (const auto& [k, v] : props) {
    if (default_key.empty() || k != default_key) add(k, v, false);
  }
  return out;
}

std::optional<bool> parse_pve_boolean(std::string_view text) {
  std::string l;
  for (char c : text) l += lower(c);
  if (l == "1" || l == "on" || l == "yes" || l == "true") return true;
  if (l == "0" || l == "off" || l == "no" || l == "false") return false;
  return std::nullopt;
}

const char* to_string(MountPoint::Type type) {
  switch (type) {
    case MountPoint::Type::volume:
      return "volume";
    case MountPoint::Type::bind:
      return "bind";
    case MountPoint::Type::device:
      return "device";
  }
  return "volume";
}

std::string NetInterface::get(std::string_view name) const { return prop(props, name); }

bool NetInterface::link_down() const { return parse_pve_boolean(get("link_down")).value_or(false); }

std::optional<std::string> LxcConfig::get(std::string_view name) const {
  for (const auto& [k, v] : entries) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string LxcConfig::hostname() const { return get("hostname").value_or(""); }
std::string LxcConfig::tags() const { return get("tags").value_or(""); }
std::string LxcConfig::lock() const { return get("lock").value_or(""); }
bool LxcConfig::flag(std::string_view name) const {
  const auto v = get(name);
  return v && parse_pve_boolean(*v).value_or(false);
}

void classify_entries(LxcConfig& c) {
  c.nets.clear();
  c.mounts.clear();
  c.devices.clear();
  for (const auto& [key, value] : c.entries) {
    if (const int n = indexed(key, "net"); n >= 0) {
      if (n >= k_max_nets) {
        c.warnings.push_back("'" + key + "' is beyond net" + std::to_string(k_max_nets - 1));
        continue;
      }
      NetInterface net;
      net.index = n;
      net.key = key;
      net.raw = value;
      net.props = parse_property_string(value, "");
      c.nets.push_back(std::move(net));
      continue;
    }
    const int m = indexed(key, "mp");
    if (key == "rootfs" || (m >= 0 && m < k_max_mount_points)) {
      MountPoint mp;
      mp.key = key;
      mp.raw = value;
      const PropertyList props = parse_property_string(value, "volume");
      mp.volume = prop(props, "volume");
      mp.mp = key == "rootfs" ? "/" : prop(props, "mp");
      if (!mp.volume.empty() && mp.volume.front() == '/') {
        mp.type =
            mp.volume.rfind("/dev/", 0) == 0 ? MountPoint::Type::device : MountPoint::Type::bind;
      }
      if (auto b = prop(props, "backup"); !b.empty()) mp.backup = parse_pve_boolean(b);
      if (key == "rootfs") {
        mp.in_backup = true;
        mp.reason = "rootfs";
      } else if (mp.type != MountPoint::Type::volume) {
        mp.reason = "not a volume";
      } else if (mp.backup.value_or(false)) {
        mp.in_backup = true;
        mp.reason = "enabled";
      } else {
        mp.reason = "disabled";
      }
      c.mounts.push_back(std::move(mp));
      continue;
    }
    if (indexed(key, "dev") >= 0) c.devices.push_back(value);
  }
  std::stable_sort(c.nets.begin(), c.nets.end(),
                   [](const NetInterface& a, const NetInterface& b) { return a.index < b.index; });
  std::stable_sort(c.mounts.begin(), c.mounts.end(), [](const MountPoint& a, const MountPoint& b) {
    const int ia = a.key == "rootfs" ? -1 : indexed(a.key, "mp");
    const int ib = b.key == "rootfs" ? -1 : indexed(b.key, "mp");
    return ia < ib;
  });
}

LxcConfig parse_pct_conf(std::string_view text) {
  LxcConfig c;
  if (text.size() > k_max_bytes) {
    c.warnings.push_back("the configuration is larger than 1 MiB; only the first MiB was read");
    text = text.substr(0, k_max_bytes);
  }
  std::size_t start = 0;
  std::size_t lines = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (++lines > k_max_lines) {
      c.warnings.push_back("the configuration has more than 4096 lines; the rest was not read");
      break;
    }
    if (trim(line).empty()) continue;
    if (line.front() == '[') break;  // a snapshot or [pve:pending] section
    if (line.front() == '#') {
      c.description += decode_text(line.substr(1)) + "\n";
      continue;
    }
    const std::size_t colon = line.find(':');
    const std::size_t equals = line.find('=');
    if (line.rfind("lxc.", 0) == 0) {
      const std::size_t sep = std::min(colon, equals);
      const std::string_view key = sep == std::string_view::npos ? line : trim(line.substr(0, sep));
      if (sep != std::string_view::npos && valid_lxc_key(key)) {
        c.lxc.emplace_back(std::string(key), std::string(trim(line.substr(sep + 1))));
      } else {
        c.warnings.push_back("unreadable line: " + text::to_valid_utf8(line.substr(0, 200)));
      }
      continue;
    }
    if (colon == std::string_view::npos || !valid_key(line.substr(0, colon))) {
      c.warnings.push_back("unreadable line: " + text::to_valid_utf8(line.substr(0, 200)));
      continue;
    }
    const std::string key(line.substr(0, colon));
    const std::string value = text::to_valid_utf8(trim(line.substr(colon + 1)));
    if (key == "description") {
      c.description += decode_text(value);
      continue;
    }
    c.entries.emplace_back(key, value);
  }
  classify_entries(c);
  return c;
}

PropertyList drill_network_params(const LxcConfig& archived) {
  PropertyList out;
  for (const auto& net : archived.nets) {
    PropertyList props;
    for (const auto& [k, v] : net.props) {
      if (k == "hwaddr" || k == "link_down") continue;
      props.emplace_back(k, v);
    }
    props.emplace_back("link_down", "1");
    out.emplace_back(net.key, print_property_string(props));
  }
  return out;
}

}  // namespace proxmox
