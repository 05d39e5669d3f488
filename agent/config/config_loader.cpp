#include "agent/config/config_loader.hpp"

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

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

// Partial: syntax only; the schema walk follows.
tl::expected<LoadedConfig, std::vector<ConfigDiagnostic>> load_config_file(
    const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    return tl::make_unexpected(
        std::vector<ConfigDiagnostic>{{path, 0, 0, "", "cannot read the configuration file"}});
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    (void)YAML::Load(text.str());
  } catch (const YAML::ParserException& e) {
    return tl::make_unexpected(std::vector<ConfigDiagnostic>{
        {path, e.mark.line + 1, e.mark.column + 1, "", "YAML syntax error: " + e.msg}});
  }
  LoadedConfig loaded;
  loaded.config.source_file = path;
  return loaded;
}

}  // namespace agent
