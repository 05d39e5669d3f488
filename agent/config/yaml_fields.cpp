#include "agent/config/yaml_fields.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace agent::config_yaml {
namespace {

// Levenshtein distance, for "did you mean" suggestions on unknown keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string list_of(const std::vector<std::string_view>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

bool has_mark(const YAML::Node& node) { return node.IsDefined() && !node.Mark().is_null(); }

}  // namespace

std::string join(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "an empty value";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  std::string text = node.Scalar();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return "\"" + text + "\"";
}

void FieldReader::error(const YAML::Node& at, const std::string& key_path, std::string message,
                        const YAML::Node& fallback) {
  ConfigDiagnostic d;
  d.file = m_file;
  const YAML::Node& where = has_mark(at) ? at : fallback;
  if (has_mark(where)) {
    d.line = where.Mark().line + 1;
    d.column = where.Mark().column + 1;
  }
  d.key_path = key_path;
  d.message = std::move(message);
  m_diagnostics.push_back(std::move(d));
}

void FieldReader::note(const std::string& path, ValueOrigin origin, const YAML::Node& key) {
  m_origins[path] = origin;
  if (has_mark(key)) m_positions[path] = {key.Mark().line + 1, key.Mark().column + 1};
}

bool FieldReader::check_mapping(const YAML::Node& node, const std::string& path,
                                const std::vector<std::string_view>& allowed) {
  if (!node.IsDefined() || node.IsNull()) return true;
  if (!node.IsMap()) {
    error(node, path,
          "expected a mapping of keys (" + list_of(allowed) + "), got " + describe(node));
    return false;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      error(key, path, "keys must be plain names, got " + describe(key));
      continue;
    }
    const std::string name = key.Scalar();
    if (!seen.insert(name).second) {
      error(key, join(path, name), "duplicate key; each key may appear only once");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::string message = "unknown key";
    std::string_view best;
    std::size_t best_distance = 3;  // suggest only close matches
    for (const auto& candidate : allowed) {
      const std::size_t d = edit_distance(name, candidate);
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    }
    if (!best.empty()) {
      message += " (did you mean \"" + std::string(best) + "\"?)";
    } else {
      message += "; expected one of: " + list_of(allowed);
    }
    error(key, join(path, name), message);
  }
  return true;
}

std::optional<Field> FieldReader::field(const YAML::Node& map, const std::string& parent,
                                        std::string_view key) const {
  if (!map.IsDefined() || !map.IsMap()) return std::nullopt;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      return Field{it->first, it->second, join(parent, key)};
    }
  }
  return std::nullopt;
}

bool FieldReader::require(const YAML::Node& map, const std::string& parent, std::string_view key,
                          const YAML::Node& fallback) {
  if (field(map, parent, key)) return true;
  error(map, join(parent, key), "missing required key", fallback);
  return false;
}

std::optional<Field> FieldReader::noted_field(const YAML::Node& map, const std::string& parent,
                                              std::string_view key, std::string& path) {
  auto f = field(map, parent, key);
  path = join(parent, key);
  if (!f) {
    note(path, ValueOrigin::default_value);
  } else {
    note(path, ValueOrigin::file, f->key);
  }
  return f;
}

std::optional<std::string> FieldReader::scalar(const Field& f, std::string_view expected) {
  if (!f.value.IsScalar()) {
    error(f.value, f.path, "expected " + std::string(expected) + ", got " + describe(f.value),
          f.key);
    return std::nullopt;
  }
  return f.value.Scalar();
}

bool FieldReader::read_string(const YAML::Node& map, const std::string& parent,
                              std::string_view key, std::string& out) {
  std::string path;
  const auto f = noted_field(map, parent, key, path);
  if (!f) return false;
  auto text = scalar(*f, "a string");
  if (!text) return false;
  if (text->empty()) {
    error(f->value, path, "expected a non-empty string", f->key);
    return false;
  }
  out = *text;
  return true;
}

bool FieldReader::read_string_or_empty(const YAML::Node& map, const std::string& parent,
                                       std::string_view key, std::string& out) {
  std::string path;
  const auto f = noted_field(map, parent, key, path);
  if (!f) return false;
  auto text = scalar(*f, "a string (\"\" for none)");
  if (!text) return false;
  out = *text;
  return true;
}

bool FieldReader::read_bytes(const YAML::Node& map, const std::string& parent, std::string_view key,
                             std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
  std::string path;
  const auto f = noted_field(map, parent, key, path);
  if (!f) return false;
  const std::string expected = "a size from " + std::to_string(min) + " to " + std::to_string(max) +
                               " bytes (a number of bytes, or with KiB, MiB, GiB or TiB)";
  const auto bad = [&] {
    error(f->value, path, "expected " + expected + ", got " + describe(f->value), f->key);
    return false;
  };
  if (!f->value.IsScalar()) return bad();
  const std::string& text = f->value.Scalar();
  std::uint64_t number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(begin, end, number);
  if (rest == begin || ec != std::errc()) return bad();
  std::string unit(rest, end);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  int shift = 0;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else if (unit == "K" || unit == "KiB") {
    shift = 10;
  } else if (unit == "M" || unit == "MiB") {
    shift = 20;
  } else if (unit == "G" || unit == "GiB") {
    shift = 30;
  } else if (unit == "T" || unit == "TiB") {
    shift = 40;
  } else {
    return bad();
  }
  if (shift > 0 && number > (UINT64_MAX >> shift)) return bad();
  const std::uint64_t value = number << shift;
  if (value < min || value > max) return bad();
  out = value;
  return true;
}

bool FieldReader::read_int(const YAML::Node& map, const std::string& parent, std::string_view key,
                           std::int64_t min, std::int64_t max, std::int64_t& out) {
  std::string path;
  const auto f = noted_field(map, parent, key, path);
  if (!f) return false;
  const std::string expected = "an integer " + std::to_string(min) + ".." + std::to_string(max);
  if (!f->value.IsScalar()) {
    error(f->value, path, "expected " + expected + ", got " + describe(f->value), f->key);
    return false;
  }
  const std::string& text = f->value.Scalar();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    error(f->value, path, "expected " + expected + ", got " + describe(f->value), f->key);
    return false;
  }
  out = value;
  return true;
}

bool FieldReader::read_int(const YAML::Node& map, const std::string& parent, std::string_view key,
                           std::int64_t min, std::int64_t max, int& out) {
  std::int64_t wide = out;
  if (!read_int(map, parent, key, min, max, wide)) return false;
  out = static_cast<int>(wide);
  return true;
}

bool FieldReader::read_bool(const YAML::Node& map, const std::string& parent, std::string_view key,
                            bool& out) {
  std::string path;
  const auto f = noted_field(map, parent, key, path);
  if (!f) return false;
  std::string text = f->value.IsScalar() ? f->value.Scalar() : "";
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "true" || text == "yes" || text == "on") {
    out = true;
    return true;
  }
  if (text == "false" || text == "no" || text == "off") {
    out = false;
    return true;
  }
  error(f->value, path, "expected true or false, got " + describe(f->value), f->key);
  return false;
}

bool FieldReader::read_enum(const YAML::Node& map, const std::string& parent, std::string_view key,
                            const std::vector<std::string_view>& allowed, std::string& out) {
  std::string path;
  const auto f = noted_field(map, parent, key, path);
  if (!f) return false;
  std::string alternatives;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    alternatives += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ");
    alternatives += allowed[i];
  }
  if (f->value.IsScalar() &&
      std::find(allowed.begin(), allowed.end(), f->value.Scalar()) != allowed.end()) {
    out = f->value.Scalar();
    return true;
  }
  error(f->value, path, "expected " + alternatives + ", got " + describe(f->value), f->key);
  return false;
}

bool FieldReader::read_path(const YAML::Node& map, const std::string& parent, std::string_view key,
                            std::filesystem::path& out) {
  std::string text;
  const auto f = field(map, parent, key);
  if (!read_string(map, parent, key, text)) return false;
  if (text.front() != '/') {
    error(f->value, join(parent, key), "expected an absolute path, got " + describe(f->value),
          f->key);
    return false;
  }
  out = std::filesystem::path(text).lexically_normal();
  return true;
}

}  // namespace agent::config_yaml
