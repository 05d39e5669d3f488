#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "agent/config/config.hpp"

// Loading the YAML configuration file (docs/configuration.md) into agent::Config, and reading
// the secrets it refers to.
namespace agent {

// The configuration file when neither -c nor PVE_SMOKERBAK_CONFIG names another.
inline constexpr const char* k_default_config_file = "/etc/pve-smokerbak/config.yaml";

// Where the effective value of a key came from.
enum class ValueOrigin { default_value, file, environment };

// "default", "file" or "environment".
const char* to_string(ValueOrigin origin);

// One problem found in a configuration file, with its position.
struct ConfigDiagnostic {
  std::filesystem::path file;
  int line = 0;          // 1-based; 0 when unknown
  int column = 0;        // 1-based; 0 when unknown
  std::string key_path;  // e.g. "targets[0].vmid"; empty for file-level problems
  std::string message;   // e.g. "expected an integer 100..999999999, got \"abc\""

  // "FILE:LINE:COL: KEY: MESSAGE"; the position and key parts are left out when unknown.
  std::string to_string() const;
};

// A position in the configuration file (1-based).
struct SourcePosition {
  int line = 0;
  int column = 0;
};

struct LoadedConfig {
  Config config;
  // Every key path of the effective configuration (e.g. "proxmox.timeout_s",
  // "targets[0].mongo.ssh.port") mapped to the origin of its value.
  std::map<std::string, ValueOrigin> origins;
  // Where each key given in the file sits (keys from defaults are absent), so later checks
  // (secret files, reachability) can point at the line.
  std::map<std::string, SourcePosition> positions;
};

// Reads, parses and validates the file at `path`. On failure returns every problem found at
// once (syntax errors, unknown keys, wrong types, out-of-range values), never just the first.
// Secret files are only resolved here, not read: see read_secret().
tl::expected<LoadedConfig, std::vector<ConfigDiagnostic>> load_config_file(
    const std::filesystem::path& path);

// The parsing and validation of load_config_file() on text already read (`path` names it in
// the diagnostics and resolves relative defaults). Used by the fuzz target; never throws.
tl::expected<LoadedConfig, std::vector<ConfigDiagnostic>> parse_config_text(
    std::string_view text, const std::filesystem::path& path);

// Reads a secret (one trailing newline stripped) after checking that the file is a regular
// file owned by root (uid 0) or the current user and that group and other have no access.
// Credential names were resolved under $CREDENTIALS_DIRECTORY when the configuration was
// loaded (systemd LoadCredential=); one still relative here is an error saying what to do.
// The secret is registered with
// agent::register_secret so logs redact it. The error text names the file and says what to do
// (e.g. "chmod 600 FILE && chown root:root FILE"); it never contains the secret.
// `several_lines`: a file of "name = value" lines (the off-site S3 credentials); returned whole,
// and the caller registers each secret value it takes from it.
tl::expected<std::string, std::string> read_secret(const SecretRef& ref,
                                                   bool several_lines = false);

}  // namespace agent
