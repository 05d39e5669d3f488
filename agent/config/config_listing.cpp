#include "agent/config/config_listing.hpp"

namespace agent {
namespace {

class Lister {
 public:
  explicit Lister(const LoadedConfig& loaded) : m_loaded(loaded) {}

  void add(const std::string& key, std::string value, ConfigEntry::Kind kind) {
    const auto it = m_loaded.origins.find(key);
    const ValueOrigin origin =
        it == m_loaded.origins.end() ? ValueOrigin::default_value : it->second;
    m_entries.push_back({key, std::move(value), kind, origin});
  }
  void str(const std::string& key, const std::string& v) { add(key, v, ConfigEntry::Kind::string); }
  void path(const std::string& key, const std::filesystem::path& v) { str(key, v.string()); }
  void integer(const std::string& key, std::int64_t v) {
    add(key, std::to_string(v), ConfigEntry::Kind::integer);
  }
  void boolean(const std::string& key, bool v) {
    add(key, v ? "true" : "false", ConfigEntry::Kind::boolean);
  }
  void none(const std::string& key) { add(key, "", ConfigEntry::Kind::none); }
  void optional(const std::string& key, const std::optional<std::string>& v) {
    if (v) {
      str(key, *v);
    } else {
      none(key);
    }
  }
  void secret(const std::string& key, const SecretRef& ref) {
    add(key, ref.path.string(), ConfigEntry::Kind::secret);
  }
  std::vector<ConfigEntry> take() { return std::move(m_entries); }

 private:
  const LoadedConfig& m_loaded;
  std::vector<ConfigEntry> m_entries;
};

// drill and coverage of a target (drill_config.hpp).
void list_drill(Lister& out, const TargetConfig& t, const std::string& p) {
  if (!t.coverage.accept_uncovered.empty() || !t.coverage.skip_databases.empty()) {
    std::string accepted, skipped;
    for (const auto& a : t.coverage.accept_uncovered)
      accepted += (accepted.empty() ? "" : ", ") + a;
    for (const auto& d : t.coverage.skip_databases) skipped += (skipped.empty() ? "" : ", ") + d;
    out.str(p + ".coverage.accept_uncovered", accepted);
    out.str(p + ".coverage.skip_databases", skipped);
  }
  out.boolean(p + ".coverage.in_run", t.coverage.in_run);
  if (!t.drill) {
    out.none(p + ".drill");
    return;
  }
  const std::string d = p + ".drill";
  out.integer(d + ".every", t.drill->every_s);
  out.boolean(d + ".in_run", t.drill->in_run);
  if (const auto& vz = t.drill->vzdump) {
    out.integer(d + ".vzdump.vmid", vz->vmid);
    out.str(d + ".vzdump.storage", vz->storage);
    out.str(d + ".vzdump.pool", vz->pool);
    out.str(d + ".vzdump.node", vz->node);
    out.integer(d + ".vzdump.restore_timeout_s", vz->restore_timeout_s);
    out.integer(d + ".vzdump.boot_timeout_s", vz->boot_timeout_s);
    if (vz->check) {
      std::string argv;
      for (const auto& a : vz->check->command) argv += (argv.empty() ? "" : " ") + a;
      out.str(d + ".vzdump.check.command", argv);
      out.str(d + ".vzdump.check.pct", vz->check->pct.string());
      out.integer(d + ".vzdump.check.timeout_s", vz->check->timeout_s);
    }
  }
  if (const auto& mg = t.drill->mongo) {
    out.str(d + ".mongo.uri", mg->uri);
    if (mg->command) out.str(d + ".mongo.command", *mg->command);
    out.str(d + ".mongo.shell", mg->shell);
    out.integer(d + ".mongo.checks", static_cast<std::int64_t>(mg->checks.size()));
    out.integer(d + ".mongo.timeout_s", mg->timeout_s);
  }
}

void list_tiers(Lister& out, const TargetConfig& t, const std::string& p) {
  out.str(p + ".name", t.name);
  out.integer(p + ".vmid", t.vmid);
  if (t.retention) {
    out.str(p + ".retention", policies::to_prune_string(*t.retention));
  } else {
    out.none(p + ".retention");
  }
  if (t.vzdump) {
    const std::string v = p + ".vzdump";
    out.str(v + ".storage", t.vzdump->storage);
    out.str(v + ".mode", t.vzdump->mode);
    out.str(v + ".compress", t.vzdump->compress);
    out.str(v + ".notes", t.vzdump->notes);
    out.boolean(v + ".prune_foreign", t.vzdump->prune_foreign);
    out.str(v + ".notification_mode", t.vzdump->notification_mode);
    out.optional(v + ".mailto", t.vzdump->mailto);
    out.optional(v + ".pbs_change_detection_mode", t.vzdump->pbs_change_detection_mode);
  } else {
    out.none(p + ".vzdump");
  }
  if (!t.mongo) {
    out.none(p + ".mongo");
    return;
  }
  const MongoConfig& m = *t.mongo;
  const std::string s = p + ".mongo.ssh";
  out.str(s + ".host", m.ssh.host);
  out.integer(s + ".port", m.ssh.port);
  out.str(s + ".user", m.ssh.user);
  out.path(s + ".identity_file", m.ssh.identity_file);
  out.path(s + ".known_hosts", m.ssh.known_hosts);
  out.integer(s + ".connect_timeout_s", m.ssh.connect_timeout_s);
  out.integer(s + ".io_timeout_s", m.ssh.io_timeout_s);
  const std::string g = p + ".mongo";
  out.str(g + ".command", m.command);
  if (m.database.empty()) {
    out.none(g + ".database");
  } else {
    out.str(g + ".database", m.database);
  }
  out.boolean(g + ".oplog", m.oplog);
  if (m.username.empty()) {
    out.none(g + ".username");
  } else {
    out.str(g + ".username", m.username);
  }
  out.str(g + ".auth_db", m.auth_db);
  out.secret(g + ".password_file", m.password);
  out.path(g + ".backup_dir", m.backup_dir);
  out.integer(g + ".shrink_warn_percent", m.shrink_warn_percent);
  out.integer(g + ".max_duration_s", m.limits.max_duration_s);
  out.integer(g + ".max_inflated_ratio", m.limits.max_inflated_ratio);
  out.integer(g + ".max_inflated_bytes", static_cast<std::int64_t>(m.limits.max_inflated_bytes));
  out.integer(g + ".max_bson_depth", m.limits.max_bson_depth);
  out.integer(g + ".stderr_keep_bytes", static_cast<std::int64_t>(m.limits.stderr_keep_bytes));
}

void list_target(Lister& out, const TargetConfig& t, const std::string& p) {
  list_tiers(out, t, p);
  list_drill(out, t, p);
}

}  // namespace

std::vector<ConfigEntry> list_effective_config(const LoadedConfig& loaded) {
  const Config& c = loaded.config;
  Lister out(loaded);
  out.str("proxmox.api_url", c.proxmox.api_url);
  out.str("proxmox.token_id", c.proxmox.token_id);
  out.secret("proxmox.token_secret_file", c.proxmox.token_secret);
  if (c.proxmox.ca_file) {
    out.path("proxmox.ca_file", *c.proxmox.ca_file);
  } else {
    out.none("proxmox.ca_file");
  }
  if (c.proxmox.fingerprint) {
    out.str("proxmox.fingerprint", *c.proxmox.fingerprint);
  } else {
    out.none("proxmox.fingerprint");
  }
  out.integer("proxmox.timeout_s", c.proxmox.timeout_s);
  out.str("proxmox.node", c.proxmox.node);
  out.str("retention", policies::to_prune_string(c.retention));
  out.str("timezone", c.timezone);
  out.path("state_dir", c.state_dir);
  out.path("metrics_file", c.metrics_file);
  for (std::size_t i = 0; i < c.targets.size(); ++i) {
    list_target(out, c.targets[i], "targets[" + std::to_string(i) + "]");
  }
  for (std::size_t i = 0; i < c.offsite.destinations.size(); ++i) {
    const auto& d = c.offsite.destinations[i];
    const std::string p = "offsite.destinations[" + std::to_string(i) + "].";
    out.str(p + "name", d.name);
    out.str(p + "endpoint", d.endpoint);
    out.str(p + "region", d.region);
    out.str(p + "bucket", d.bucket);
    out.str(p + "prefix", d.prefix);
    out.add(p + "credentials_file", d.credentials_path.string(), ConfigEntry::Kind::secret);
    if (d.fingerprint) {
      out.str(p + "fingerprint", *d.fingerprint);
    } else if (d.ca_file) {
      out.path(p + "ca_file", *d.ca_file);
    } else {
      out.none(p + "ca_file");
    }
    out.str(p + "lock", to_string(d.lock));
    for (std::size_t r = 0; r < d.recipients.size(); ++r) {
      out.str(p + "recipients[" + std::to_string(r) + "]", d.recipients[r]);
    }
    out.str(p + "retention", d.retention ? policies::to_prune_string(*d.retention)
                                         : std::string("(the local policy)"));
  }
  if (c.events.any()) {
    out.str("events.ping.start", c.events.ping_start);
    out.str("events.ping.success", c.events.ping_success);
    out.str("events.ping.fail", c.events.ping_fail);
    out.str("events.webhook.url", c.events.webhook_url);
    if (c.events.webhook_authorization_file) {
      out.secret("events.webhook.authorization_file",
                 SecretRef{*c.events.webhook_authorization_file, false});
    }
    out.boolean("events.webhook.include_messages", c.events.webhook_include_messages);
    out.integer("events.timeout_s", c.events.timeout_s);
    out.boolean("events.allow_plain_loopback", c.events.allow_plain_loopback);
  }
  return out.take();
}

std::string display_value(const ConfigEntry& entry) {
  switch (entry.kind) {
    case ConfigEntry::Kind::none:
      return "(none)";
    case ConfigEntry::Kind::secret:
      return entry.value.empty() ? "(not set)" : "(secret from " + entry.value + ")";
    case ConfigEntry::Kind::string:
      return entry.value.empty() ? "\"\"" : entry.value;
    case ConfigEntry::Kind::integer:
    case ConfigEntry::Kind::boolean:
      return entry.value;
  }
  return entry.value;
}

}  // namespace agent
