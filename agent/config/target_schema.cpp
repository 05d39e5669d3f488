// One entry of `targets`: name, vmid, retention override and the vzdump and mongo tiers.
#include "agent/config/config_schema.hpp"
#include "agent/config/config_validators.hpp"

namespace agent::config_yaml {
namespace {

const std::vector<std::string_view> k_target_keys = {"name",  "vmid",  "retention", "vzdump",
                                                     "mongo", "drill", "coverage"};
const std::vector<std::string_view> k_vzdump_keys = {"storage",       "mode",
                                                     "compress",      "notes",
                                                     "prune_foreign", "notification_mode",
                                                     "mailto",        "pbs_change_detection_mode"};
const std::vector<std::string_view> k_mongo_keys = {"ssh",
                                                    "command",
                                                    "database",
                                                    "username",
                                                    "auth_db",
                                                    "password_file",
                                                    "backup_dir",
                                                    "shrink_warn_percent",
                                                    "oplog",
                                                    "max_duration_s",
                                                    "max_inflated_ratio",
                                                    "max_inflated_bytes",
                                                    "max_bson_depth",
                                                    "stderr_keep_bytes"};
const std::vector<std::string_view> k_ssh_keys = {
    "host", "port", "user", "identity_file", "known_hosts", "connect_timeout_s", "io_timeout_s"};

void check_value(FieldReader& reader, const YAML::Node& map, const std::string& parent,
                 std::string_view key, const std::optional<std::string>& problem) {
  if (!problem) return;
  const auto f = reader.field(map, parent, key);
  reader.error(f->value, f->path, *problem, f->key);
}

VzdumpConfig decode_vzdump(const Field& section, FieldReader& reader) {
  VzdumpConfig vz;
  const YAML::Node& map = section.value;
  const std::string& p = section.path;
  if (!reader.check_mapping(map, p, k_vzdump_keys)) return vz;
  if (reader.read_string(map, p, "storage", vz.storage)) {
    check_value(reader, map, p, "storage", config_checks::check_storage_id(vz.storage));
  }
  reader.read_enum(map, p, "mode", {"snapshot", "suspend", "stop"}, vz.mode);
  if (const auto c = reader.field(map, p, "compress");
      c && c->value.IsScalar() && c->value.Scalar() == "lzo") {
    reader.note(c->path, ValueOrigin::file, c->key);
    reader.error(c->value, c->path,
                 "lzo archives cannot be verified: vzdump writes them with the lzop program, "
                 "whose container no maintained library reads (liblzo2 has only the raw "
                 "blocks); use zstd (Proxmox's default: faster, smaller, checksummed) or gzip",
                 c->key);
  } else {
    reader.read_enum(map, p, "compress", {"zstd", "gzip", "0"}, vz.compress);
  }
  reader.read_string(map, p, "notes", vz.notes);
  reader.read_bool(map, p, "prune_foreign", vz.prune_foreign);
  reader.read_enum(map, p, "notification_mode", {"auto", "legacy-sendmail", "notification-system"},
                   vz.notification_mode);
  std::string text;
  if (reader.read_string(map, p, "mailto", text)) vz.mailto = text;
  text.clear();
  if (reader.read_enum(map, p, "pbs_change_detection_mode", {"legacy", "data", "metadata"}, text)) {
    vz.pbs_change_detection_mode = text;
  }
  return vz;
}

SshConfig decode_ssh(const std::optional<Field>& section, const std::string& p,
                     const YAML::Node& mongo_map, FieldReader& reader) {
  SshConfig ssh;
  if (!section) {
    reader.error(mongo_map, p, "missing required key (host, identity_file, known_hosts)");
    return ssh;
  }
  const YAML::Node& map = section->value;
  if (!reader.check_mapping(map, p, k_ssh_keys)) return ssh;
  for (const auto* key : {"host", "identity_file", "known_hosts"}) {
    reader.require(map, p, key, section->key);
  }
  reader.read_string(map, p, "host", ssh.host);
  reader.read_int(map, p, "port", 1, 65535, ssh.port);
  reader.read_string(map, p, "user", ssh.user);
  reader.read_path(map, p, "identity_file", ssh.identity_file);
  reader.read_path(map, p, "known_hosts", ssh.known_hosts);
  reader.read_int(map, p, "connect_timeout_s", 1, 3600, ssh.connect_timeout_s);
  reader.read_int(map, p, "io_timeout_s", 1, 86400, ssh.io_timeout_s);
  return ssh;
}

// `database`, required unless `oplog` asks for a whole-instance dump (mongodump refuses --oplog
// with --db: "--oplog mode only supported on full dumps").
void decode_database(const YAML::Node& map, const std::string& p, const Field& section,
                     FieldReader& reader, MongoConfig& mongo) {
  const auto db = reader.field(map, p, "database");
  if (mongo.oplog) {
    reader.note(join(p, "database"), db ? ValueOrigin::file : ValueOrigin::default_value,
                db ? db->key : YAML::Node());
    if (db) {
      reader.error(db->key, db->path,
                   "oplog: true dumps the whole instance (mongodump --oplog cannot be combined "
                   "with --db); remove database, or set oplog: false to dump one database");
    }
    return;
  }
  if (reader.require(map, p, "database", section.key) &&
      reader.read_string(map, p, "database", mongo.database)) {
    check_value(reader, map, p, "database", config_checks::check_database_name(mongo.database));
  }
}

// The bounds on what the container sends (docs/configuration.md, "Limits on what a container
// sends").
void decode_mongo_limits(const YAML::Node& map, const std::string& p, FieldReader& reader,
                         MongoLimits& limits) {
  reader.read_int(map, p, "max_duration_s", 60, 7 * 86400, limits.max_duration_s);
  reader.read_int(map, p, "max_inflated_ratio", 2, 100000, limits.max_inflated_ratio);
  reader.read_bytes(map, p, "max_inflated_bytes", 0, 1ull << 50, limits.max_inflated_bytes);
  reader.read_int(map, p, "max_bson_depth", 5, 1000, limits.max_bson_depth);
  reader.read_bytes(map, p, "stderr_keep_bytes", 4096, 256ull << 20, limits.stderr_keep_bytes);
}

MongoConfig decode_mongo(const Field& section, const std::filesystem::path& default_backup_dir,
                         FieldReader& reader) {
  MongoConfig mongo;
  const YAML::Node& map = section.value;
  const std::string& p = section.path;
  if (!reader.check_mapping(map, p, k_mongo_keys)) return mongo;
  mongo.ssh = decode_ssh(reader.field(map, p, "ssh"), join(p, "ssh"), map, reader);
  reader.read_string_or_empty(map, p, "command", mongo.command);
  reader.read_bool(map, p, "oplog", mongo.oplog);
  decode_database(map, p, section, reader, mongo);
  decode_mongo_limits(map, p, reader, mongo.limits);
  reader.read_string(map, p, "username", mongo.username);
  if (!reader.field(map, p, "username"))
    reader.note(join(p, "username"), ValueOrigin::default_value);
  reader.read_string(map, p, "auth_db", mongo.auth_db);
  const bool has_password = read_secret_ref(map, p, "password_file", reader, mongo.password);
  const auto user_field = reader.field(map, p, "username");
  const auto password_field = reader.field(map, p, "password_file");
  if (user_field && !password_field) {
    reader.error(map, join(p, "password_file"),
                 "missing required key (username is set, so a password file is needed)",
                 section.key);
  } else if (password_field && !user_field && has_password) {
    reader.error(password_field->key, password_field->path,
                 "password_file is set but username is not; set username too");
  }
  mongo.backup_dir = default_backup_dir;
  reader.read_path(map, p, "backup_dir", mongo.backup_dir);
  reader.read_int(map, p, "shrink_warn_percent", 0, 100, mongo.shrink_warn_percent);
  return mongo;
}

}  // namespace

void decode_target(const YAML::Node& node, const std::string& path,
                   const std::filesystem::path& state_dir, FieldReader& reader,
                   TargetConfig& target) {
  if (!node.IsMap()) {
    reader.error(node, path,
                 "expected a mapping (name, vmid, vzdump, mongo), got " + describe(node));
    return;
  }
  if (!reader.check_mapping(node, path, k_target_keys)) return;
  if (reader.require(node, path, "name") && reader.read_string(node, path, "name", target.name)) {
    if (auto problem = config_checks::check_target_name(target.name)) {
      check_value(reader, node, path, "name", problem);
      target.name.clear();
    }
  }
  if (reader.require(node, path, "vmid")) {
    reader.read_int(node, path, "vmid", 100, 999'999'999, target.vmid);
  }
  if (const auto r = reader.field(node, path, "retention")) {
    reader.note(r->path, ValueOrigin::file, r->key);
    target.retention = decode_retention(*r, reader);
  }
  if (const auto vz = reader.field(node, path, "vzdump")) {
    target.vzdump = decode_vzdump(*vz, reader);
  }
  if (const auto mg = reader.field(node, path, "mongo")) {
    const std::string dir_name = target.name.empty() ? "TARGET" : target.name;
    target.mongo = decode_mongo(*mg, state_dir / dir_name / "mongodb", reader);
  }
  if (!target.vzdump && !target.mongo) {
    reader.error(node, path, "enables no tier: add a vzdump section, a mongo section, or both");
  }
  decode_drill_and_coverage(node, path, reader, target);
}

}  // namespace agent::config_yaml
