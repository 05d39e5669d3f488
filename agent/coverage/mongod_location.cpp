#include "agent/coverage/mongod_location.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

namespace agent::coverage {
namespace {

constexpr std::size_t k_max_args = 256;
constexpr std::size_t k_max_mounts = 1024;
constexpr std::size_t k_max_path = 4096;

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < k_max_args) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::string file_name(const std::string& word) {
  const auto slash = word.rfind('/');
  return slash == std::string::npos ? word : word.substr(slash + 1);
}

// The deepest bracket nesting of a YAML text (flow collections), quotes ignored roughly: a
// guard before the parser, which recurses on nesting.
int flow_depth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  for (const char c : text) {
    if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  return deepest;
}

}  // namespace

std::optional<ContainerPrefix> container_prefix(std::string_view command) {
  const auto w = words(command);
  for (std::size_t i = 0; i + 1 < w.size(); ++i) {
    const std::string tool = file_name(w[i]);
    if ((tool != "docker" && tool != "podman") || w[i + 1] != "exec") continue;
    ContainerPrefix p;
    for (std::size_t b = 0; b < i; ++b) p.before += (b ? " " : "") + w[b];
    p.tool = w[i];
    // docker exec's options: those that take a value, then the container's name.
    for (std::size_t j = i + 2; j < w.size(); ++j) {
      const std::string& a = w[j];
      if (a == "-u" || a == "--user" || a == "-w" || a == "--workdir" || a == "-e" ||
          a == "--env" || a == "--env-file" || a == "--detach-keys") {
        ++j;
        continue;
      }
      if (!a.empty() && a.front() == '-') continue;
      p.container = a;
      return p;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

MongodArgs parse_mongod_args(const std::vector<std::string>& args) {
  MongodArgs out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&](const char* name) -> std::optional<std::string> {
      const std::string n(name);
      if (a == n && i + 1 < args.size()) return args[++i];
      if (a.rfind(n + "=", 0) == 0) return a.substr(n.size() + 1);
      return std::nullopt;
    };
    if (auto v = value("--dbpath")) {
      out.dbpath = *v;
    } else if (auto c = value("--config")) {
      out.config_file = *c;
    } else if (auto f = value("-f")) {
      out.config_file = *f;
    }
  }
  return out;
}

std::vector<std::vector<std::string>> mongod_processes(std::string_view ps_output) {
  std::vector<std::vector<std::string>> out;
  std::size_t start = 0;
  while (start < ps_output.size() && out.size() < 64) {
    std::size_t end = ps_output.find('\n', start);
    if (end == std::string_view::npos) end = ps_output.size();
    auto w = words(ps_output.substr(start, end - start));
    start = end + 1;
    if (w.empty() || file_name(w.front()) != "mongod") continue;
    w.erase(w.begin());
    out.push_back(std::move(w));
  }
  return out;
}

tl::expected<std::optional<std::string>, std::string> dbpath_from_config(std::string_view text) {
  if (text.size() > (1u << 20)) return tl::unexpected(std::string("larger than 1 MiB"));
  if (flow_depth(text) > 64)
    return tl::unexpected(std::string("nested too deeply for a mongod.conf"));
  try {
    const YAML::Node doc = YAML::Load(std::string(text));
    if (doc.IsMap()) {
      const YAML::Node storage = doc["storage"];
      if (!storage || storage.IsNull()) return std::optional<std::string>();
      if (!storage.IsMap()) return tl::unexpected(std::string("storage is not a mapping"));
      const YAML::Node path = storage["dbPath"];
      if (!path || path.IsNull()) return std::optional<std::string>();
      if (!path.IsScalar()) return tl::unexpected(std::string("storage.dbPath is not a string"));
      return std::optional<std::string>(path.as<std::string>());
    }
  } catch (const std::exception&) {
    // Not YAML: maybe the legacy "key = value" form below.
  }
  // The legacy INI-like form (MongoDB < 2.6, still read): "dbpath = /var/lib/mongodb".
  std::optional<std::string> found;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos)
      return tl::unexpected(std::string("neither YAML nor key = value lines"));
    auto trim = [](std::string s) {
      const auto b = s.find_first_not_of(" \t\r");
      const auto e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    if (trim(line.substr(0, eq)) == "dbpath") found = trim(line.substr(eq + 1));
  }
  return found;
}

tl::expected<ContainerFacts, std::string> parse_container_inspect(std::string_view json_text) {
  const auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) return tl::unexpected(std::string("the answer is not JSON"));
  const nlohmann::json* c = &doc;
  if (doc.is_array()) {
    if (doc.size() != 1) {
      return tl::unexpected("expected one container, the answer lists " +
                            std::to_string(doc.size()));
    }
    c = &doc.front();
  }
  if (!c->is_object()) return tl::unexpected(std::string("the answer is not a container object"));
  ContainerFacts out;
  const auto string_at = [](const nlohmann::json& o, const char* key) -> std::string {
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto p = string_at(*c, "Path"); !p.empty()) out.command.push_back(p);
  if (const auto args = c->find("Args"); args != c->end() && args->is_array()) {
    for (const auto& a : *args) {
      if (a.is_string() && out.command.size() < k_max_args)
        out.command.push_back(a.get<std::string>());
    }
  }
  const auto mounts = c->find("Mounts");
  if (mounts != c->end() && !mounts->is_null()) {
    if (!mounts->is_array()) return tl::unexpected(std::string("Mounts is not a list"));
    for (const auto& m : *mounts) {
      if (!m.is_object() || out.mounts.size() >= k_max_mounts) continue;
      ContainerMount cm{string_at(m, "Type"), string_at(m, "Source"), string_at(m, "Destination")};
      const auto dest = normal_absolute(cm.destination);
      if (!dest) continue;
      cm.destination = *dest;
      if (!cm.source.empty()) {
        const auto src = normal_absolute(cm.source);
        if (!src)
          return tl::unexpected("a mount's source is not an absolute path: " +
                                cm.source.substr(0, 200));
        cm.source = *src;
      }
      out.mounts.push_back(std::move(cm));
    }
  }
  if (out.command.empty()) return tl::unexpected(std::string("the container has no Path or Args"));
  return out;
}

std::optional<std::vector<std::string>> mongod_in_container(
    const std::vector<std::string>& command) {
  for (std::size_t i = 0; i < command.size(); ++i) {
    if (file_name(command[i]) == "mongod") {
      return std::vector<std::string>(command.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                      command.end());
    }
  }
  if (command.size() >= 2 && file_name(command[0]) == "docker-entrypoint.sh" &&
      !command[1].empty() && command[1].front() == '-') {
    return std::vector<std::string>(command.begin() + 1, command.end());
  }
  return std::nullopt;
}

std::optional<std::string> host_path(const std::vector<ContainerMount>& mounts,
                                     const std::string& path) {
  const ContainerMount* best = nullptr;
  for (const auto& m : mounts) {
    if (!path_within(path, m.destination)) continue;
    if (!best || m.destination.size() > best->destination.size()) best = &m;
  }
  if (!best) return std::nullopt;
  if (best->source.empty()) return std::string();
  const std::string rest = path.substr(best->destination.size());
  if (best->source == "/") return rest.empty() ? "/" : rest;
  return best->source + rest;
}

std::optional<std::string> normal_absolute(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > k_max_path) return std::nullopt;
  if (path.find('\0') != std::string_view::npos) return std::nullopt;
  std::string out = std::filesystem::path(std::string(path)).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

bool path_within(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path.front() == '/';
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

}  // namespace agent::coverage
