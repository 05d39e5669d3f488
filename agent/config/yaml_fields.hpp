#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "agent/config/config_loader.hpp"

// Internal to agent/config: typed reading of YAML mappings that collects every problem as a
// ConfigDiagnostic (with file, line, column and key path) instead of stopping at the first,
// and records the origin (file or default) of every value it reads.
namespace agent::config_yaml {

// "parent.key", or "key" at the top level.
std::string join(const std::string& parent, std::string_view key);

// Human description of a node for messages: "\"abc\"", "a mapping", "a list", "an empty value".
std::string describe(const YAML::Node& node);

// One key/value pair of a mapping, with the key path of the value.
struct Field {
  YAML::Node key;
  YAML::Node value;
  std::string path;
};

class FieldReader {
 public:
  FieldReader(std::filesystem::path file, std::vector<ConfigDiagnostic>& diagnostics,
              std::map<std::string, ValueOrigin>& origins,
              std::map<std::string, SourcePosition>& positions)
      : m_file(std::move(file)),
        m_diagnostics(diagnostics),
        m_origins(origins),
        m_positions(positions) {}

  // Reports a problem at `at`'s position (or at `fallback` when `at` has none).
  void error(const YAML::Node& at, const std::string& key_path, std::string message,
             const YAML::Node& fallback = YAML::Node());

  // `node` must be a mapping; an absent or empty value counts as an empty mapping. Reports
  // unknown keys (suggesting the nearest allowed one) and duplicate keys. Returns false, after
  // reporting, when `node` is something else.
  bool check_mapping(const YAML::Node& node, const std::string& path,
                     const std::vector<std::string_view>& allowed);

  // The pair for `key` in `map`, if present (first occurrence).
  std::optional<Field> field(const YAML::Node& map, const std::string& parent,
                             std::string_view key) const;

  // Reports "missing required key" at `map` (or `fallback`) unless `key` is present.
  bool require(const YAML::Node& map, const std::string& parent, std::string_view key,
               const YAML::Node& fallback = YAML::Node());

  // Typed readers. When `key` is present and valid, store it in `out` and record origin
  // "file"; when it is absent, keep `out` (the default) and record "default". An invalid
  // value is reported and leaves `out` unchanged. Each returns true when the key was present
  // and valid.
  bool read_string(const YAML::Node& map, const std::string& parent, std::string_view key,
                   std::string& out);
  // read_string for a key whose empty value ("") means something (mongo.command).
  bool read_string_or_empty(const YAML::Node& map, const std::string& parent, std::string_view key,
                            std::string& out);
  // A size in bytes: an integer, or a whole number with a binary unit (KiB, MiB, GiB, TiB, or
  // K, M, G, T for the same), e.g. "64GiB", within min..max bytes.
  bool read_bytes(const YAML::Node& map, const std::string& parent, std::string_view key,
                  std::uint64_t min, std::uint64_t max, std::uint64_t& out);
  bool read_int(const YAML::Node& map, const std::string& parent, std::string_view key,
                std::int64_t min, std::int64_t max, std::int64_t& out);
  bool read_int(const YAML::Node& map, const std::string& parent, std::string_view key,
                std::int64_t min, std::int64_t max, int& out);
  bool read_bool(const YAML::Node& map, const std::string& parent, std::string_view key, bool& out);
  bool read_enum(const YAML::Node& map, const std::string& parent, std::string_view key,
                 const std::vector<std::string_view>& allowed, std::string& out);
  // An absolute path.
  bool read_path(const YAML::Node& map, const std::string& parent, std::string_view key,
                 std::filesystem::path& out);

  // Scalar text of a present field, or a reported error ("expected a string, got a list").
  std::optional<std::string> scalar(const Field& f, std::string_view expected);

  // Records the origin of `path`; for values from the file also where `key` sits.
  void note(const std::string& path, ValueOrigin origin, const YAML::Node& key = YAML::Node());

  // field() for a typed reader: sets `path` to the dotted key path and records the origin
  // (default when absent, the file when present).
  std::optional<Field> noted_field(const YAML::Node& map, const std::string& parent,
                                   std::string_view key, std::string& path);

 private:
  std::filesystem::path m_file;
  std::vector<ConfigDiagnostic>& m_diagnostics;
  std::map<std::string, ValueOrigin>& m_origins;
  std::map<std::string, SourcePosition>& m_positions;
};

}  // namespace agent::config_yaml
