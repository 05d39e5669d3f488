// Valid configuration files: every value lands in agent::Config, with its origin.
#include <gtest/gtest.h>

#include <cstdlib>

#include "agent/config/config_loader.hpp"
#include "tests/agent_config/test_files.hpp"

namespace {

using agent::ValueOrigin;

const char* k_full = R"(proxmox:
  api_url: https://pve.example:8006/
  token_id: "smokerbak@pve!agent"
  token_secret_file: /etc/pve-smokerbak/pve-token
  ca_file: null
  fingerprint: "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89"
  timeout_s: 45
retention:
  keep-last: 2
  keep-daily: 10
timezone: Europe/Berlin
state_dir: /srv/smokerbak
metrics_file: /srv/metrics/smokerbak.prom
targets:
  - name: prod-cloud
    vmid: 106
    retention: "keep-weekly=8"
    vzdump: { storage: backup-nfs, mode: stop, compress: gzip, notes: "n {{vmid}}", prune_foreign: yes }
    mongo:
      ssh: { host: 10.0.0.106, port: 2222, user: backup,
             identity_file: /etc/pve-smokerbak/id_ed25519, known_hosts: /etc/pve-smokerbak/known_hosts,
             connect_timeout_s: 5, io_timeout_s: 300 }
      command: "docker exec -i mongo7"
      database: smartsmoker
      username: smartsmoker
      auth_db: users
      password_file: mongo-password
      backup_dir: /srv/dumps
      shrink_warn_percent: 30
  - name: staging
    vmid: 107
    mongo:
      ssh: { host: 10.0.0.107, identity_file: /k, known_hosts: /kh }
      database: staging
)";

TEST(LoadConfigFile, ReadsEveryKeyOfAFullConfig) {
  TempDir dir;
  const auto file = dir.write("config.yaml", k_full);
  ::unsetenv("CREDENTIALS_DIRECTORY");
  const auto loaded = agent::load_config_file(file);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().front().to_string();
  const agent::Config& c = loaded->config;
  EXPECT_EQ(c.source_file, file);
  EXPECT_EQ(c.proxmox.api_url, "https://pve.example:8006");  // trailing slash dropped
  EXPECT_EQ(c.proxmox.token_id, "smokerbak@pve!agent");
  EXPECT_EQ(c.proxmox.token_secret.path, "/etc/pve-smokerbak/pve-token");
  EXPECT_FALSE(c.proxmox.token_secret.from_credentials);
  EXPECT_FALSE(c.proxmox.ca_file.has_value());
  EXPECT_EQ(c.proxmox.fingerprint,
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:"
            "23:45:67:89");
  EXPECT_EQ(c.proxmox.timeout_s, 45);

  policies::RetentionPolicy global;
  global.keep_last = 2;
  global.keep_daily = 10;
  global.keep_weekly.reset();
  global.keep_monthly.reset();
  EXPECT_EQ(c.retention, global);
  EXPECT_EQ(c.timezone, "Europe/Berlin");
  EXPECT_EQ(c.state_dir, "/srv/smokerbak");
  EXPECT_EQ(c.metrics_file, "/srv/metrics/smokerbak.prom");

  ASSERT_EQ(c.targets.size(), 2u);
  const auto& t = c.targets[0];
  EXPECT_EQ(t.name, "prod-cloud");
  EXPECT_EQ(t.vmid, 106);
  ASSERT_TRUE(t.retention.has_value());
  policies::RetentionPolicy weekly;
  weekly.keep_daily.reset();
  weekly.keep_weekly = 8;
  weekly.keep_monthly.reset();
  EXPECT_EQ(*t.retention, weekly);
  ASSERT_TRUE(t.vzdump.has_value());
  EXPECT_EQ(t.vzdump->storage, "backup-nfs");
  EXPECT_EQ(t.vzdump->mode, "stop");
  EXPECT_EQ(t.vzdump->compress, "gzip");
  EXPECT_EQ(t.vzdump->notes, "n {{vmid}}");
  EXPECT_TRUE(t.vzdump->prune_foreign);
  ASSERT_TRUE(t.mongo.has_value());
  EXPECT_EQ(t.mongo->ssh.host, "10.0.0.106");
  EXPECT_EQ(t.mongo->ssh.port, 2222);
  EXPECT_EQ(t.mongo->ssh.user, "backup");
  EXPECT_EQ(t.mongo->ssh.identity_file, "/etc/pve-smokerbak/id_ed25519");
  EXPECT_EQ(t.mongo->ssh.known_hosts, "/etc/pve-smokerbak/known_hosts");
  EXPECT_EQ(t.mongo->ssh.connect_timeout_s, 5);
  EXPECT_EQ(t.mongo->ssh.io_timeout_s, 300);
  EXPECT_EQ(t.mongo->command, "docker exec -i mongo7");
  EXPECT_EQ(t.mongo->database, "smartsmoker");
  EXPECT_EQ(t.mongo->username, "smartsmoker");
  EXPECT_EQ(t.mongo->auth_db, "users");
  EXPECT_EQ(t.mongo->password.path, "mongo-password");  // resolved by read_secret at run time
  EXPECT_TRUE(t.mongo->password.from_credentials);
  EXPECT_EQ(t.mongo->backup_dir, "/srv/dumps");
  EXPECT_EQ(t.mongo->shrink_warn_percent, 30);

  const auto& s = c.targets[1];
  EXPECT_FALSE(s.vzdump.has_value());
  EXPECT_FALSE(s.retention.has_value());
  EXPECT_EQ(&s.effective_retention(c.retention), &c.retention);
  ASSERT_TRUE(s.mongo.has_value());
  EXPECT_EQ(s.mongo->ssh.port, 22);
  EXPECT_EQ(s.mongo->ssh.user, "root");
  EXPECT_EQ(s.mongo->command, "docker exec -i mongo");
  EXPECT_EQ(s.mongo->backup_dir, "/srv/smokerbak/staging/mongodb");  // under state_dir
  EXPECT_TRUE(s.mongo->username.empty());
  EXPECT_TRUE(s.mongo->password.path.empty());
}

TEST(LoadConfigFile, RecordsFileAndDefaultOriginsAndPositions) {
  TempDir dir;
  const auto file = dir.write("config.yaml", k_full);
  const auto loaded = agent::load_config_file(file);
  ASSERT_TRUE(loaded.has_value());
  const auto& o = loaded->origins;
  EXPECT_EQ(o.at("proxmox.timeout_s"), ValueOrigin::file);
  EXPECT_EQ(o.at("retention"), ValueOrigin::file);
  EXPECT_EQ(o.at("targets[0].mongo.ssh.port"), ValueOrigin::file);
  EXPECT_EQ(o.at("targets[1].mongo.ssh.port"), ValueOrigin::default_value);
  EXPECT_EQ(o.at("targets[1].mongo.backup_dir"), ValueOrigin::default_value);
  EXPECT_EQ(o.at("targets[1].mongo.shrink_warn_percent"), ValueOrigin::default_value);
  EXPECT_EQ(loaded->positions.at("proxmox.timeout_s").line, 7);
  EXPECT_EQ(loaded->positions.at("proxmox.timeout_s").column, 3);
  EXPECT_EQ(loaded->positions.count("targets[1].mongo.ssh.port"), 0u);
}

TEST(LoadConfigFile, MinimalConfigGetsTheDocumentedDefaults) {
  TempDir dir;
  const auto file = dir.write("config.yaml",
                              "proxmox:\n  token_id: \"a@pve!b\"\n  token_secret_file: /s\n"
                              "targets:\n  - {name: ct, vmid: 100, vzdump: {}}\n");
  const auto loaded = agent::load_config_file(file);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().front().to_string();
  const agent::Config& c = loaded->config;
  EXPECT_EQ(c.proxmox.api_url, "https://127.0.0.1:8006");
  EXPECT_EQ(c.proxmox.ca_file, std::filesystem::path("/etc/pve/pve-root-ca.pem"));
  EXPECT_FALSE(c.proxmox.fingerprint.has_value());
  EXPECT_EQ(c.proxmox.timeout_s, 30);
  EXPECT_EQ(c.retention, policies::RetentionPolicy{});  // 7 daily, 4 weekly, 12 monthly
  EXPECT_EQ(c.timezone, "local");
  EXPECT_EQ(c.state_dir, "/var/lib/pve-smokerbak");
  EXPECT_EQ(c.metrics_file, "/var/lib/prometheus/node-exporter/pve-smokerbak.prom");
  EXPECT_EQ(c.targets.at(0).vzdump->storage, "local");
  EXPECT_EQ(c.targets.at(0).vzdump->mode, "snapshot");
  EXPECT_EQ(c.targets.at(0).vzdump->compress, "zstd");
  EXPECT_EQ(c.targets.at(0).vzdump->notes, "{{guestname}} ({{node}})");
  EXPECT_FALSE(c.targets.at(0).vzdump->prune_foreign);
  EXPECT_EQ(loaded->origins.at("proxmox.api_url"), ValueOrigin::default_value);
  EXPECT_EQ(loaded->origins.at("retention"), ValueOrigin::default_value);
  EXPECT_EQ(loaded->origins.at("proxmox.token_id"), ValueOrigin::file);
}

TEST(LoadConfigFile, RetentionAcceptsTheProxmoxStringForm) {
  TempDir dir;
  const auto file = dir.write("config.yaml",
                              "retention: \"keep-daily=7,keep-weekly=4\"\n"
                              "targets:\n  - {name: ct, vmid: 100, mongo: {database: d, ssh: "
                              "{host: h, identity_file: /k, known_hosts: /kh}}}\n");
  const auto loaded = agent::load_config_file(file);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().front().to_string();
  policies::RetentionPolicy expected;
  expected.keep_monthly.reset();
  EXPECT_EQ(loaded->config.retention, expected);
}

TEST(LoadConfigFile, CredentialNameResolvesUnderCredentialsDirectoryWhenSet) {
  TempDir dir;
  const auto file = dir.write("config.yaml",
                              "proxmox:\n  token_id: \"a@pve!b\"\n  token_secret_file: pve-token\n"
                              "targets:\n  - {name: ct, vmid: 100, vzdump: {}}\n");
  ::setenv("CREDENTIALS_DIRECTORY", "/run/credentials/pve-smokerbak.service", 1);
  const auto loaded = agent::load_config_file(file);
  ::unsetenv("CREDENTIALS_DIRECTORY");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().front().to_string();
  EXPECT_EQ(loaded->config.proxmox.token_secret.path,
            "/run/credentials/pve-smokerbak.service/pve-token");
  EXPECT_TRUE(loaded->config.proxmox.token_secret.from_credentials);
}

TEST(LoadConfigFile, ShippedExampleIsValid) {
  const auto loaded = agent::load_config_file(std::filesystem::path(SMOKERBAK_SOURCE_DIR) /
                                              "deploy" / "config.example.yaml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().front().to_string();
  ASSERT_EQ(loaded->config.targets.size(), 1u);
  EXPECT_EQ(loaded->config.targets[0].vmid, 106);
  EXPECT_EQ(loaded->config.retention, policies::RetentionPolicy{});
}

}  // namespace
