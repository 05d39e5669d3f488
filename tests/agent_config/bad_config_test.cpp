// Table of invalid configuration files, each with the exact diagnostics expected:
// line, column, key path and message.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/config/config_loader.hpp"
#include "tests/agent_config/test_files.hpp"

namespace {

// Lines 1-3 of most cases: a valid proxmox section.
const std::string k_proxmox =
    "proxmox:\n"
    "  token_id: \"smokerbak@pve!agent\"\n"
    "  token_secret_file: /etc/pve-smokerbak/pve-token\n";
// Lines 4-7: a valid target.
const std::string k_target =
    "targets:\n"
    "  - name: prod-cloud\n"
    "    vmid: 106\n"
    "    vzdump: {}\n";
// Lines 4-... : a target head without tiers (vmid on line 6).
const std::string k_head =
    "targets:\n"
    "  - name: a\n"
    "    vmid: 106\n";

struct BadConfigCase {
  std::string name;
  std::string yaml;
  std::vector<std::string> expected;  // "LINE:COL: KEY: MESSAGE" (or "KEY: MESSAGE")
};

std::vector<BadConfigCase> cases() {
  return {
      {"VmidNotANumber",
       k_proxmox + "targets:\n  - name: a\n    vmid: abc\n    vzdump: {}\n",
       {"6:11: targets[0].vmid: expected an integer 100..999999999, got \"abc\""}},
      {"VmidTooSmall",
       k_proxmox + "targets:\n  - name: a\n    vmid: 99\n    vzdump: {}\n",
       {"6:11: targets[0].vmid: expected an integer 100..999999999, got \"99\""}},
      {"UnknownTopLevelKeySuggestsNearest",
       k_proxmox + k_target + "retension: 7\n",
       {"8:1: retension: unknown key (did you mean \"retention\"?)"}},
      {"UnknownKeyListsAllowedKeys",
       k_proxmox + k_target + "colour: blue\n",
       {"8:1: colour: unknown key; expected one of: proxmox, retention, timezone, state_dir, "
        "metrics_file, targets, events, offsite"}},
      {"UnknownNestedKey",
       k_proxmox + k_head + "    vzdump: {storage: local, compres: zstd}\n",
       {"7:30: targets[0].vzdump.compres: unknown key (did you mean \"compress\"?)"}},
      {"DuplicateKey",
       k_proxmox + k_target + "timezone: UTC\ntimezone: local\n",
       {"9:1: timezone: duplicate key; each key may appear only once"}},
      {"SshPortOutOfRange",
       k_proxmox + k_head +
           "    mongo:\n"
           "      ssh: {host: h, port: 70000, identity_file: /k, known_hosts: /kh}\n"
           "      database: db\n",
       {"8:28: targets[0].mongo.ssh.port: expected an integer 1..65535, got \"70000\""}},
      {"VzdumpModeNotInEnum",
       k_proxmox + k_head + "    vzdump: {mode: fast}\n",
       {"7:20: targets[0].vzdump.mode: expected snapshot, suspend or stop, got \"fast\""}},
      {"CompressNotInEnum",
       k_proxmox + k_head + "    vzdump: {compress: xz}\n",
       {"7:24: targets[0].vzdump.compress: expected zstd, gzip or 0, got \"xz\""}},
      // Refused with the reason: the agent cannot verify lzop archives (docs/configuration.md).
      {"CompressLzoIsRefusedWithTheReason",
       k_proxmox + k_head + "    vzdump: {compress: lzo}\n",
       {"7:24: targets[0].vzdump.compress: lzo archives cannot be verified: vzdump writes them "
        "with the lzop program, whose container no maintained library reads (liblzo2 has only "
        "the raw blocks); use zstd (Proxmox's default: faster, smaller, checksummed) or gzip"}},
      {"NotificationModeNotInEnum",
       k_proxmox + k_head + "    vzdump: {notification_mode: mail}\n",
       {"7:33: targets[0].vzdump.notification_mode: expected auto, legacy-sendmail or "
        "notification-system, got \"mail\""}},
      {"PlainHttpApiUrl",
       "proxmox:\n  api_url: http://pve:8006\n  token_id: \"a@pve!b\"\n"
       "  token_secret_file: /s\n" +
           k_target,
       {"2:12: proxmox.api_url: expected an https:// URL (the API token must not travel in "
        "clear text), got \"http://pve:8006\""}},
      {"ApiUrlWithPath",
       "proxmox:\n  api_url: https://pve:8006/api2/json\n  token_id: \"a@pve!b\"\n"
       "  token_secret_file: /s\n" +
           k_target,
       {"2:12: proxmox.api_url: expected https://HOST[:PORT] (without /api2/json), got "
        "\"https://pve:8006/api2/json\""}},
      {"BothCaFileAndFingerprint",
       k_proxmox + "  ca_file: /etc/ca.pem\n  fingerprint: " + std::string(95, 'A') + "\n" +
           k_target,
       {"5:3: proxmox.fingerprint: set either ca_file or fingerprint, not both (set the other "
        "to null)"}},
      {"FingerprintNotColonHex",
       k_proxmox + "  fingerprint: AB:CD\n" + k_target,
       {"4:16: proxmox.fingerprint: expected a SHA-256 fingerprint as 32 colon-separated hex "
        "bytes (AB:CD:...), got \"AB:CD\""}},
      {"NeitherCaFileNorFingerprint",
       k_proxmox + "  ca_file: null\n" + k_target,
       {"4:3: proxmox.ca_file: set either ca_file (a CA certificate file) or fingerprint "
        "(SHA-256, colon hex)"}},
      {"TimeoutZero",
       k_proxmox + "  timeout_s: 0\n" + k_target,
       {"4:14: proxmox.timeout_s: expected an integer 1..3600, got \"0\""}},
      {"TokenIdWithoutRealm",
       "proxmox:\n  token_id: agent\n  token_secret_file: /s\n" + k_target,
       {"2:13: proxmox.token_id: expected an API token ID USER@REALM!TOKENNAME (e.g. "
        "smokerbak@pve!agent), got \"agent\""}},
      {"SecretRefRelativePath",
       "proxmox:\n  token_id: \"a@pve!b\"\n  token_secret_file: secrets/token\n" + k_target,
       {"3:22: proxmox.token_secret_file: expected an absolute path or a bare systemd "
        "credential name, got \"secrets/token\""}},
      {"UnknownTimezone",
       k_proxmox + k_target + "timezone: Mars/Olympus_Mons\n",
       {"8:11: timezone: expected \"local\" or an IANA time zone name such as Europe/Berlin "
        "(one that exists under /usr/share/zoneinfo), got \"Mars/Olympus_Mons\""}},
      {"RelativeStateDir",
       k_proxmox + k_target + "state_dir: var/lib/x\n",
       {"8:12: state_dir: expected an absolute path, got \"var/lib/x\""}},
      {"DuplicateTargetNames",
       k_proxmox + k_target + "  - name: prod-cloud\n    vmid: 107\n    vzdump: {}\n",
       {"8:11: targets[1].name: duplicate target name \"prod-cloud\" (first used by the target "
        "at line 5)"}},
      {"TargetNameNotADirectoryName",
       k_proxmox + "targets:\n  - name: ../etc\n    vmid: 106\n    vzdump: {}\n",
       {"5:11: targets[0].name: expected 1-64 characters of A-Z a-z 0-9 . _ - starting with a "
        "letter or digit (it names a directory), got \"../etc\""}},
      {"MissingVmid",
       k_proxmox + "targets:\n  - name: a\n    vzdump: {}\n",
       {"5:5: targets[0].vmid: missing required key"}},
      {"TargetWithoutTier",
       k_proxmox + k_head,
       {"5:5: targets[0]: enables no tier: add a vzdump section, a mongo section, or both"}},
      {"ShrinkWarnPercentAbove100",
       k_proxmox + k_head +
           "    mongo:\n"
           "      ssh: {host: h, identity_file: /k, known_hosts: /kh}\n"
           "      database: db\n"
           "      shrink_warn_percent: 101\n",
       {"10:28: targets[0].mongo.shrink_warn_percent: expected an integer 0..100, got \"101\""}},
      {"MongoUsernameWithoutPassword",
       k_proxmox + k_head +
           "    mongo:\n"
           "      ssh: {host: h, identity_file: /k, known_hosts: /kh}\n"
           "      database: db\n"
           "      username: u\n",
       {"8:7: targets[0].mongo.password_file: missing required key (username is set, so a "
        "password file is needed)"}},
      {"MongoWithoutSshAndDatabase",
       k_proxmox + k_head + "    mongo: {command: docker exec -i mongo}\n",
       {"7:12: targets[0].mongo.ssh: missing required key (host, identity_file, known_hosts)",
        "7:12: targets[0].mongo.database: missing required key"}},
      {"RetentionUnknownKeyDoesNotHideASiblingsTypeError",
       k_proxmox + k_target + "retention:\n  keep-daily: seven\n  keep-weekyl: 4\n",
       {"9:15: retention.keep-daily: \"seven\" is not an integer >= 0",
        "10:3: retention.keep-weekyl: unknown key (did you mean \"keep-weekly\"?)"}},
      {"OplogWithDatabaseIsAConflict",
       k_proxmox + k_head +
           "    mongo:\n"
           "      ssh: {host: h, identity_file: /k, known_hosts: /kh}\n"
           "      oplog: true\n"
           "      database: db\n",
       {"10:7: targets[0].mongo.database: oplog: true dumps the whole instance (mongodump "
        "--oplog cannot be combined with --db); remove database, or set oplog: false to dump "
        "one database"}},
      {"MongoLimitsOutOfRange",
       k_proxmox + k_head +
           "    mongo:\n"
           "      ssh: {host: h, identity_file: /k, known_hosts: /kh}\n"
           "      database: db\n"
           "      max_duration_s: 5\n"
           "      max_inflated_bytes: 12 PB\n"
           "      max_bson_depth: 2000\n",
       {"10:23: targets[0].mongo.max_duration_s: expected an integer 60..604800, got \"5\"",
        "11:27: targets[0].mongo.max_inflated_bytes: expected a size from 0 to "
        "1125899906842624 bytes (a number of bytes, or with KiB, MiB, GiB or TiB), got "
        "\"12 PB\"",
        "12:23: targets[0].mongo.max_bson_depth: expected an integer 5..1000, got \"2000\""}},
      {"NegativeRetentionCount",
       k_proxmox + k_target + "retention:\n  keep-daily: -1\n",
       {"9:15: retention.keep-daily: \"-1\" is not an integer >= 0"}},
      {"RetentionStringUnknownKey",
       k_proxmox + k_target + "retention: \"keep-daily=7,keep-dayly=1\"\n",
       {"8:12: retention: invalid prune-backups string: unknown key \"keep-dayly\" (allowed: "
        "keep-all, keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly, "
        "keep-yearly)"}},
      {"RetentionKeepAllWithCounts",
       k_proxmox + k_target + "retention: {keep-all: true, keep-daily: 3}\n",
       {"8:12: retention: keep-all cannot be set together with other options"}},
      {"TargetsEmptyList",
       k_proxmox + "targets: []\n",
       {"4:10: targets: expected a non-empty list of targets, got a list"}},
      {"NoTargets",
       k_proxmox,
       {"targets: missing required key: list at least one target (name, vmid, vzdump/mongo)"}},
      {"VzdumpWithoutProxmoxToken",
       k_target,
       {"proxmox.token_id: missing required key (needed because a target has a vzdump tier)",
        "proxmox.token_secret_file: missing required key (needed because a target has a vzdump "
        "tier)"}},
      {"EmptyFile", "", {"the file is empty; see docs/configuration.md for the keys"}},
      {"NotAMapping",
       "- a\n- b\n",
       {"1:1: expected a mapping of keys (proxmox, retention, timezone, state_dir, "
        "metrics_file, targets, events, offsite), got a list"}},
      {"SyntaxError",
       k_proxmox + "targets: [\n  - name: a\n",
       {"5:3: YAML syntax error: illegal block entry"}},
      {"EveryProblemAtOnce",
       k_proxmox + "  timeout_s: -5\n" + "targets:\n  - name: a\n    vmid: abc\n" +
           "    vzdump: {mode: fast}\n",
       {"4:14: proxmox.timeout_s: expected an integer 1..3600, got \"-5\"",
        "7:11: targets[0].vmid: expected an integer 100..999999999, got \"abc\"",
        "8:20: targets[0].vzdump.mode: expected snapshot, suspend or stop, got \"fast\""}},
  };
}

std::string without_file(const agent::ConfigDiagnostic& d) {
  std::string out;
  if (d.line > 0) out += std::to_string(d.line) + ":" + std::to_string(d.column) + ": ";
  if (!d.key_path.empty()) out += d.key_path + ": ";
  return out + d.message;
}

class BadConfig : public ::testing::TestWithParam<BadConfigCase> {};

TEST_P(BadConfig, ReportsExactlyTheExpectedDiagnostics) {
  TempDir dir;
  const auto file = dir.write("config.yaml", GetParam().yaml);
  const auto loaded = agent::load_config_file(file);
  ASSERT_FALSE(loaded.has_value()) << "config was accepted:\n" << GetParam().yaml;
  std::vector<std::string> actual;
  for (const auto& d : loaded.error()) {
    EXPECT_EQ(d.file, file);
    actual.push_back(without_file(d));
  }
  EXPECT_EQ(actual, GetParam().expected) << GetParam().yaml;
}

INSTANTIATE_TEST_SUITE_P(Loader, BadConfig, ::testing::ValuesIn(cases()),
                         [](const auto& test_case) { return test_case.param.name; });

TEST(ConfigDiagnostic, FormatsFileLineColumnKeyAndMessage) {
  const agent::ConfigDiagnostic d{"/etc/x.yaml", 6, 11, "targets[0].vmid", "expected X"};
  EXPECT_EQ(d.to_string(), "/etc/x.yaml:6:11: targets[0].vmid: expected X");
  const agent::ConfigDiagnostic no_position{"/etc/x.yaml", 0, 0, "targets", "missing"};
  EXPECT_EQ(no_position.to_string(), "/etc/x.yaml: targets: missing");
}

TEST(LoadConfigFile, MissingFileSaysHowToPointElsewhere) {
  TempDir dir;
  const auto loaded = agent::load_config_file(dir.path() / "absent.yaml");
  ASSERT_FALSE(loaded.has_value());
  ASSERT_EQ(loaded.error().size(), 1u);
  EXPECT_EQ(loaded.error()[0].message,
            "cannot read the configuration file: No such file or directory (give another one "
            "with --config or PVE_SMOKERBAK_CONFIG)");
}

}  // namespace
