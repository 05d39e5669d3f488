#include "agent/config/config_check.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/config/config_listing.hpp"
#include "agent/config/config_loader.hpp"
#include "agent/config/file_trust.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/core/installation_id.hpp"

namespace agent {
namespace {

using Findings = ConfigFindings;

ConfigDiagnostic at_key(const LoadedConfig& loaded, const std::string& key, std::string message) {
  ConfigDiagnostic d{loaded.config.source_file, 0, 0, key, std::move(message)};
  if (const auto it = loaded.positions.find(key); it != loaded.positions.end()) {
    d.line = it->second.line;
    d.column = it->second.column;
  }
  return d;
}

// Reads every configured secret (never printing it) so ownership, mode and readability
// problems show up now instead of at 01:00 in the nightly run.
void check_secrets(const LoadedConfig& loaded, Findings& findings) {
  std::vector<std::pair<std::string, SecretRef>> secrets;
  const Config& c = loaded.config;
  if (!c.proxmox.token_secret.path.empty()) {
    secrets.emplace_back("proxmox.token_secret_file", c.proxmox.token_secret);
  }
  for (std::size_t i = 0; i < c.targets.size(); ++i) {
    const auto& m = c.targets[i].mongo;
    if (m && !m->password.path.empty()) {
      secrets.emplace_back("targets[" + std::to_string(i) + "].mongo.password_file", m->password);
    }
  }
  for (std::size_t i = 0; i < c.offsite.destinations.size(); ++i) {
    const auto& d = c.offsite.destinations[i];
    if (d.credentials_path.empty()) continue;
    secrets.emplace_back("offsite.destinations[" + std::to_string(i) + "].credentials_file",
                         SecretRef{d.credentials_path, d.credentials_from_credentials});
  }
  for (const auto& [key, ref] : secrets) {
    if (ref.from_credentials && ref.path.is_relative()) {
      findings.warnings.push_back(at_key(
          loaded, key,
          "credential \"" + ref.path.string() +
              "\" is looked up under $CREDENTIALS_DIRECTORY, which is not set here; it is "
              "checked when the service runs (or run this check with CREDENTIALS_DIRECTORY set)"));
      continue;
    }
    // The S3 credentials file holds several "name = value" lines (docs/offsite.md).
    const bool several_lines = key.rfind("offsite.", 0) == 0;
    if (auto secret = read_secret(ref, several_lines); !secret) {
      findings.errors.push_back(at_key(loaded, key, secret.error()));
    }
  }
}

// Files the tiers will need later; missing ones are worth a warning, not a failed check
// (the example config names host paths that exist only on a Proxmox node).
void check_referenced_files(const LoadedConfig& loaded, Findings& findings) {
  std::vector<std::pair<std::string, std::filesystem::path>> files;
  const Config& c = loaded.config;
  if (c.proxmox.ca_file) files.emplace_back("proxmox.ca_file", *c.proxmox.ca_file);
  for (std::size_t i = 0; i < c.targets.size(); ++i) {
    if (const auto& m = c.targets[i].mongo) {
      const std::string p = "targets[" + std::to_string(i) + "].mongo.ssh.";
      files.emplace_back(p + "identity_file", m->ssh.identity_file);
      files.emplace_back(p + "known_hosts", m->ssh.known_hosts);
    }
  }
  for (const auto& [key, path] : files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      findings.warnings.push_back(at_key(loaded, key, path.string() + " does not exist yet"));
    }
  }
}

// Existing state and backup directories others can read: a warning (the agent creates new ones
// 0700 and its backups 0700 inside, but does not change what the operator made).
void check_private_dirs(const LoadedConfig& loaded, Findings& findings) {
  const Config& c = loaded.config;
  if (auto p = open_directory_problem(c.state_dir, "state_dir")) {
    findings.warnings.push_back(at_key(loaded, "state_dir", *p));
  }
  for (std::size_t i = 0; i < c.targets.size(); ++i) {
    const auto& m = c.targets[i].mongo;
    const std::string key = "targets[" + std::to_string(i) + "].mongo.backup_dir";
    if (m) {
      if (auto p = open_directory_problem(m->backup_dir, key)) {
        findings.warnings.push_back(at_key(loaded, key, *p));
      }
    }
  }
}

std::string config_path_origin(const ConfigCheckRequest& global) {
  // CLI11 counts a value taken from PVE_SMOKERBAK_CONFIG as given, so main() may leave
  // config_path_from_env false; a path equal to the variable's value came from it (or was
  // given twice, identically).
  const char* env = std::getenv("PVE_SMOKERBAK_CONFIG");
  if (global.config_path_from_env || (env != nullptr && global.config_path == env)) {
    return to_string(ValueOrigin::environment);
  }
  if (global.config_path == k_default_config_file) return to_string(ValueOrigin::default_value);
  return "command line";
}

nlohmann::ordered_json diagnostics_json(const std::vector<ConfigDiagnostic>& list) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& d : list) {
    out.push_back({{"file", d.file.string()},
                   {"line", d.line},
                   {"column", d.column},
                   {"key", d.key_path},
                   {"message", d.message}});
  }
  return out;
}

nlohmann::ordered_json entry_json(const ConfigEntry& e) {
  switch (e.kind) {
    case ConfigEntry::Kind::integer:
      return std::stoll(e.value);
    case ConfigEntry::Kind::boolean:
      return e.value == "true";
    case ConfigEntry::Kind::none:
      return nullptr;
    case ConfigEntry::Kind::secret:
      if (e.value.empty()) return nullptr;
      return {{"secret_file", e.value}};
    case ConfigEntry::Kind::string:
      break;
  }
  return e.value;
}

std::string listing_text(const ConfigCheckRequest& global,
                         const std::vector<ConfigEntry>& entries) {
  std::ostringstream out;
  std::size_t key_width = std::string("config_file").size();
  std::size_t value_width = global.config_path.size();
  for (const auto& e : entries) {
    key_width = std::max(key_width, e.key.size());
    value_width = std::max(value_width, display_value(e).size());
  }
  value_width = std::min<std::size_t>(value_width, 48);
  const auto line = [&](const std::string& key, const std::string& value,
                        const std::string& origin) {
    out << key << std::string(key_width - key.size(), ' ') << " = " << value
        << std::string(value.size() < value_width ? value_width - value.size() : 0, ' ') << "  # "
        << origin << "\n";
  };
  line("config_file", global.config_path, config_path_origin(global));
  for (const auto& e : entries) line(e.key, display_value(e), to_string(e.origin));
  return out.str();
}

void print_findings(const Findings& findings, Output& out) {
  for (const auto& d : findings.warnings) out.message("warning: " + d.to_string() + "\n");
  for (const auto& d : findings.errors) out.message("error: " + d.to_string() + "\n");
}

}  // namespace

int run_config_check(const ConfigCheckRequest& global, Output& out,
                     const std::vector<ConfigCheck>& checks) {
  Findings findings;
  auto loaded = load_config_file(global.config_path);
  std::vector<ConfigEntry> entries;
  std::optional<std::string> installation_id;
  if (!loaded) {
    findings.errors = loaded.error();
  } else {
    check_secrets(*loaded, findings);
    check_referenced_files(*loaded, findings);
    check_private_dirs(*loaded, findings);
    for (const auto& check : checks) check(*loaded, findings);
    entries = list_effective_config(*loaded);
    if (findings.errors.empty() && global.remote_check) {
      for (auto& f : global.remote_check(loaded->config)) {
        (f.error ? findings.errors : findings.warnings)
            .push_back(at_key(*loaded, f.key, std::move(f.message)));
      }
    }
    if (auto id = read_installation_id(loaded->config.state_dir); !id) {
      findings.errors.push_back({loaded->config.source_file, 0, 0, "state_dir", id.error()});
    } else {
      installation_id = *id;
    }
  }
  const std::string id_file =
      loaded ? installation_id_path(loaded->config.state_dir).string() : std::string();
  const bool valid = findings.errors.empty();
  std::optional<ConfigSection> section;
  if (valid && loaded && global.section) section = global.section(loaded->config);

  if (global.json) {
    nlohmann::ordered_json doc;
    doc["config_file"] = {{"value", global.config_path}, {"origin", config_path_origin(global)}};
    doc["valid"] = valid;
    auto values = nlohmann::ordered_json::object();
    for (const auto& e : entries) {
      values[e.key] = {{"value", entry_json(e)}, {"origin", to_string(e.origin)}};
    }
    doc["values"] = values;
    doc["installation_id"] = {
        {"value", installation_id ? nlohmann::ordered_json(*installation_id) : nullptr},
        {"file", id_file}};
    doc["errors"] = diagnostics_json(findings.errors);
    doc["warnings"] = diagnostics_json(findings.warnings);
    if (section) {
      auto part = nlohmann::ordered_json::parse(section->json, nullptr, false);
      doc[section->name] = part.is_discarded() ? nlohmann::ordered_json() : part;
    }
    out.json(doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  } else if (!entries.empty()) {
    out.result(listing_text(global, entries));
    out.result(
        "installation_id = " +
        (installation_id ? *installation_id : std::string("(none yet: the first run makes it)")) +
        "  # " + id_file + "\n");
  }
  if (section && !global.json) out.result(section->text);
  print_findings(findings, out);
  if (section) {
    for (const auto& w : section->warnings) out.message("warning: " + w + "\n");
  }
  if (!valid) {
    out.message(global.config_path + ": " + std::to_string(findings.errors.size()) +
                (findings.errors.size() == 1 ? " problem" : " problems") +
                "; see docs/configuration.md\n");
    return exit_code::k_usage;
  }
  return section ? section->exit_code : exit_code::k_success;
}

}  // namespace agent
