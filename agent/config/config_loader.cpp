#include "agent/config/config_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "agent/config/config_schema.hpp"
#include "agent/config/file_trust.hpp"
#include "agent/config/yaml_fields.hpp"

namespace agent {

const char* to_string(ValueOrigin origin) {
  switch (origin) {
    case ValueOrigin::default_value:
      return "default";
    case ValueOrigin::file:
      return "file";
    case ValueOrigin::environment:
      return "environment";
  }
  return "default";
}

std::string ConfigDiagnostic::to_string() const {
  std::string out = file.string();
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  return out;
}

tl::expected<LoadedConfig, std::vector<ConfigDiagnostic>> load_config_file(
    const std::filesystem::path& path) {
  std::vector<ConfigDiagnostic> diagnostics;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics.push_back({path, 0, 0, "",
                           std::string("cannot read the configuration file: ") +
                               std::strerror(errno) +
                               " (give another one with --config or PVE_SMOKERBAK_CONFIG)"});
    return tl::make_unexpected(std::move(diagnostics));
  }
  if (auto problem = untrusted_file_problem(path, "configuration file")) {
    diagnostics.push_back({path, 0, 0, "", *problem});
    return tl::make_unexpected(std::move(diagnostics));
  }
  // An operator's file is a few KiB; reading stops well before a mistaken /dev/zero fills memory.
  constexpr std::size_t k_max_config_bytes = 1 << 20;
  std::string text(k_max_config_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > k_max_config_bytes) {
    diagnostics.push_back({path, 0, 0, "",
                           "larger than 1 MiB: not a pve-smokerbak configuration file (give "
                           "another one with --config or PVE_SMOKERBAK_CONFIG)"});
    return tl::make_unexpected(std::move(diagnostics));
  }
  return parse_config_text(text, path);
}

tl::expected<LoadedConfig, std::vector<ConfigDiagnostic>> parse_config_text(
    std::string_view text, const std::filesystem::path& path) {
  std::vector<ConfigDiagnostic> diagnostics;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {  // ParserException, and its DeepRecursion
    diagnostics.push_back(
        {path, e.mark.line + 1, e.mark.column + 1, "", "YAML syntax error: " + e.msg});
    return tl::make_unexpected(std::move(diagnostics));
  }

  LoadedConfig loaded;
  loaded.config.source_file = path;
  try {
    config_yaml::FieldReader reader(path, diagnostics, loaded.origins, loaded.positions);
    config_yaml::decode_config(root, reader, loaded.config);
  } catch (const YAML::Exception& e) {
    // The decoder checks node types before use, so this is a bug; still report it as a value.
    diagnostics.push_back({path, e.mark.line + 1, e.mark.column + 1, "",
                           std::string("cannot interpret the file: ") + e.what()});
  }
  if (!diagnostics.empty()) {
    // File order reads best; problems without a position (missing sections) go last.
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [](const ConfigDiagnostic& a, const ConfigDiagnostic& b) {
                       const auto key = [](const ConfigDiagnostic& d) {
                         return std::pair(d.line == 0 ? INT32_MAX : d.line, d.column);
                       };
                       return key(a) < key(b);
                     });
    return tl::make_unexpected(std::move(diagnostics));
  }
  return loaded;
}

}  // namespace agent
