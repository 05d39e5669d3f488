// The top level and the proxmox section of the configuration file.
#include "agent/config/config_schema.hpp"

#include <cctype>
#include <cstdlib>

#include "agent/config/config_validators.hpp"
#include "agent/config/node_name.hpp"

namespace agent::config_yaml {
namespace {

const std::vector<std::string_view> k_top_keys = {"proxmox",   "retention",    "timezone",
                                                  "state_dir", "metrics_file", "targets",
                                                  "events",    "offsite"};
const std::vector<std::string_view> k_proxmox_keys = {
    "api_url", "token_id", "token_secret_file", "ca_file", "fingerprint", "timeout_s", "node"};

// Reports `message` for a present field when `check` found a problem.
bool check_value(FieldReader& reader, const std::optional<Field>& f,
                 const std::optional<std::string>& problem) {
  if (!problem) return true;
  reader.error(f->value, f->path, *problem, f->key);
  return false;
}

bool present_and_set(const std::optional<Field>& f) { return f && !f->value.IsNull(); }

// ca_file and fingerprint: exactly one of them pins the server certificate.
void decode_tls_pin(const YAML::Node& map, FieldReader& reader, ProxmoxConfig& proxmox) {
  const auto ca = reader.field(map, "proxmox", "ca_file");
  const auto fp = reader.field(map, "proxmox", "fingerprint");
  reader.note("proxmox.ca_file", ca ? ValueOrigin::file : ValueOrigin::default_value,
              ca ? ca->key : YAML::Node());
  reader.note("proxmox.fingerprint", fp ? ValueOrigin::file : ValueOrigin::default_value,
              fp ? fp->key : YAML::Node());
  if (present_and_set(fp)) {
    if (present_and_set(ca)) {
      reader.error(fp->key, fp->path,
                   "set either ca_file or fingerprint, not both (set the other to null)");
      return;
    }
    auto text = reader.scalar(*fp, "a SHA-256 fingerprint");
    if (!text || !check_value(reader, fp, config_checks::check_fingerprint(*text))) return;
    std::string upper = *text;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    proxmox.fingerprint = upper;
    proxmox.ca_file.reset();
    return;
  }
  if (present_and_set(ca)) {
    std::filesystem::path path;
    if (reader.read_path(map, "proxmox", "ca_file", path)) proxmox.ca_file = path;
    return;
  }
  if (ca) {  // "ca_file: null" without a fingerprint
    reader.error(ca->key, "proxmox.ca_file",
                 "set either ca_file (a CA certificate file) or fingerprint (SHA-256, colon hex)");
  }
  // Neither given: the default ca_file applies.
}

void decode_proxmox(const std::optional<Field>& section, bool required, FieldReader& reader,
                    ProxmoxConfig& proxmox) {
  const YAML::Node map = section ? section->value : YAML::Node();
  const YAML::Node key = section ? section->key : YAML::Node();
  const std::string p = "proxmox";
  if (section && !reader.check_mapping(map, p, k_proxmox_keys)) return;
  if (reader.read_string(map, p, "api_url", proxmox.api_url)) {
    const auto f = reader.field(map, p, "api_url");
    check_value(reader, f, config_checks::check_api_url(proxmox.api_url));
    while (proxmox.api_url.size() > 8 && proxmox.api_url.back() == '/') proxmox.api_url.pop_back();
  }
  if (reader.read_string(map, p, "token_id", proxmox.token_id)) {
    check_value(reader, reader.field(map, p, "token_id"),
                config_checks::check_token_id(proxmox.token_id));
  }
  read_secret_ref(map, p, "token_secret_file", reader, proxmox.token_secret);
  decode_tls_pin(map, reader, proxmox);
  reader.read_int(map, p, "timeout_s", 1, 3600, proxmox.timeout_s);
  proxmox.node = config_checks::this_host_node_name();
  if (reader.read_string(map, p, "node", proxmox.node)) {
    check_value(reader, reader.field(map, p, "node"), config_checks::check_node_name(proxmox.node));
  }
  if (required) {
    const std::string why = " (needed because a target has a vzdump tier)";
    for (const auto* name : {"token_id", "token_secret_file"}) {
      if (!reader.field(map, p, name)) {
        reader.error(map, join(p, name), std::string("missing required key") + why, key);
      }
    }
  }
}

void decode_targets(const std::optional<Field>& section, FieldReader& reader, Config& config) {
  if (!section) {
    reader.error(YAML::Node(), "targets",
                 "missing required key: list at least one target (name, vmid, vzdump/mongo)");
    return;
  }
  const YAML::Node& list = section->value;
  if (!list.IsSequence() || list.size() == 0) {
    reader.error(list, "targets", "expected a non-empty list of targets, got " + describe(list),
                 section->key);
    return;
  }
  std::map<std::string, int> first_line;  // target name -> line of its first use
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "targets[" + std::to_string(i) + "]";
    TargetConfig target;
    decode_target(list[i], path, config.state_dir, reader, target);
    if (!target.name.empty()) {
      const int line = list[i].Mark().line + 1;
      const auto [it, inserted] = first_line.emplace(target.name, line);
      if (!inserted) {
        const auto name = reader.field(list[i], path, "name");
        reader.error(name->value, name->path,
                     "duplicate target name \"" + target.name +
                         "\" (first used by the target at "
                         "line " +
                         std::to_string(it->second) + ")");
      }
    }
    config.targets.push_back(std::move(target));
  }
}

}  // namespace

bool read_secret_ref(const YAML::Node& map, const std::string& parent, std::string_view key,
                     FieldReader& reader, SecretRef& out) {
  std::string text;
  if (!reader.read_string(map, parent, key, text)) return false;
  const auto f = reader.field(map, parent, key);
  if (!check_value(reader, f, config_checks::check_secret_ref(text))) return false;
  if (text.front() == '/') {
    out = SecretRef{std::filesystem::path(text), false};
    return true;
  }
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  out = SecretRef{dir != nullptr && *dir != '\0' ? std::filesystem::path(dir) / text
                                                 : std::filesystem::path(text),
                  true};
  return true;
}

void decode_config(const YAML::Node& root, FieldReader& reader, Config& config) {
  if (!root.IsDefined() || root.IsNull()) {
    reader.error(root, "", "the file is empty; see docs/configuration.md for the keys");
    return;
  }
  if (!reader.check_mapping(root, "", k_top_keys)) return;

  if (const auto r = reader.field(root, "", "retention")) {
    reader.note("retention", ValueOrigin::file, r->key);
    if (auto policy = decode_retention(*r, reader)) config.retention = *policy;
  } else {
    reader.note("retention", ValueOrigin::default_value);
  }
  if (reader.read_string(root, "", "timezone", config.timezone)) {
    check_value(reader, reader.field(root, "", "timezone"),
                config_checks::check_timezone(config.timezone));
  }
  reader.read_path(root, "", "state_dir", config.state_dir);
  reader.read_path(root, "", "metrics_file", config.metrics_file);
  decode_targets(reader.field(root, "", "targets"), reader, config);
  decode_events(reader.field(root, "", "events"), reader, config.events);
  decode_offsite(reader.field(root, "", "offsite"), reader, config);

  bool any_vzdump = false;
  for (const auto& t : config.targets) any_vzdump = any_vzdump || t.vzdump.has_value();
  decode_proxmox(reader.field(root, "", "proxmox"), any_vzdump, reader, config.proxmox);
}

}  // namespace agent::config_yaml
