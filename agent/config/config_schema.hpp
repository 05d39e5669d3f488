#pragma once

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "agent/config/config.hpp"
#include "agent/config/yaml_fields.hpp"

// Internal to agent/config: the schema of the configuration file (docs/configuration.md),
// decoded section by section. Every problem goes to the FieldReader; decoding never stops at
// the first one.
namespace agent::config_yaml {

// The whole document. `root` is the parsed file (a mapping).
void decode_config(const YAML::Node& root, FieldReader& reader, Config& config);

// One entry of `targets`; `state_dir` gives the default mongo.backup_dir.
void decode_target(const YAML::Node& node, const std::string& path,
                   const std::filesystem::path& state_dir, FieldReader& reader,
                   TargetConfig& target);

// A `retention` value: a mapping of keep-* keys or one Proxmox string
// ("keep-daily=7,keep-weekly=4"). Returns std::nullopt after reporting a problem.
std::optional<policies::RetentionPolicy> decode_retention(const Field& field, FieldReader& reader);

// The `offsite` section (agent/config/offsite_schema.cpp); after the targets, whose retention
// an off-site override must keep at least.
void decode_offsite(const std::optional<Field>& section, FieldReader& reader, Config& config);

// A secret reference (token_secret_file, password_file): an absolute path, or a systemd
// credential name resolved under $CREDENTIALS_DIRECTORY (when set at load time: the one place
// the variable is read; otherwise the name stays relative and read_secret() says what to do).
bool read_secret_ref(const YAML::Node& map, const std::string& parent, std::string_view key,
                     FieldReader& reader, SecretRef& out);

// A target's `drill` and `coverage` sections (drill_schema.cpp); after the tiers are decoded.
void decode_drill_and_coverage(const YAML::Node& node, const std::string& path, FieldReader& reader,
                               TargetConfig& target);

// The top-level `events` section (drill_schema.cpp).
void decode_events(const std::optional<Field>& section, FieldReader& reader, EventsConfig& events);

}  // namespace agent::config_yaml
