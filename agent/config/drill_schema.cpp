// The drill and coverage sections of a target and the top-level events section
// (docs/configuration.md).
#include <algorithm>
#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

#include "agent/config/config_schema.hpp"
#include "agent/config/config_validators.hpp"

namespace agent::config_yaml {
namespace {

const std::vector<std::string_view> k_drill_keys = {"every", "in_run", "vzdump", "mongo"};
const std::vector<std::string_view> k_drill_vzdump_keys = {
    "vmid", "storage", "pool", "node", "restore_timeout_s", "boot_timeout_s", "check"};
const std::vector<std::string_view> k_drill_check_keys = {"command", "pct", "timeout_s"};
const std::vector<std::string_view> k_drill_mongo_keys = {"uri", "command", "shell", "checks",
                                                          "timeout_s"};
const std::vector<std::string_view> k_drill_mongo_check_keys = {"collection", "query", "min_count"};
const std::vector<std::string_view> k_coverage_keys = {"accept_uncovered", "skip_databases",
                                                       "in_run"};
const std::vector<std::string_view> k_events_keys = {"ping", "webhook", "ca_file", "timeout_s",
                                                     "allow_plain_loopback"};
const std::vector<std::string_view> k_ping_keys = {"start", "success", "fail"};
const std::vector<std::string_view> k_webhook_keys = {"url", "authorization_file",
                                                      "include_messages"};

void report(FieldReader& reader, const std::optional<Field>& f,
            const std::optional<std::string>& problem) {
  if (problem && f) reader.error(f->value, f->path, *problem, f->key);
}

// "90d", "12w", "36h" or a bare number of days.
std::optional<std::int64_t> parse_interval(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 86400;
  std::string_view digits = text;
  switch (text.back()) {
    case 'h':
      unit = 3600;
      digits.remove_suffix(1);
      break;
    case 'd':
      digits.remove_suffix(1);
      break;
    case 'w':
      unit = 7 * 86400;
      digits.remove_suffix(1);
      break;
    default:
      break;
  }
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || n <= 0 ||
      n > 10 * 366 * 24) {
    return std::nullopt;
  }
  return n * unit;
}

// https://HOST[:PORT][/PATH] with no whitespace, control characters or user info.
std::optional<std::string> check_https_url(std::string_view value) {
  constexpr std::string_view scheme = "https://";
  const std::string shown(value.substr(0, 40));
  if (value.substr(0, scheme.size()) != scheme) {
    return "expected an https:// URL (certificates are always verified), got \"" + shown +
           (value.size() > 40 ? "...\"" : "\"");
  }
  const std::string_view rest = value.substr(scheme.size());
  const auto host_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, host_end);
  const bool bad_char = std::any_of(value.begin(), value.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  });
  if (authority.empty() || authority.find('@') != std::string_view::npos || bad_char ||
      value.size() > 2048) {
    return "expected https://HOST[:PORT]/PATH (no spaces, no user:password@), got \"" + shown +
           (value.size() > 40 ? "...\"" : "\"");
  }
  return std::nullopt;
}

// http://127.0.0.1[:PORT][/...] or http://[::1][:PORT][/...] (events.allow_plain_loopback).
bool is_plain_loopback_url(std::string_view value) {
  for (std::string_view prefix : {"http://127.0.0.1", "http://[::1]"}) {
    if (value.substr(0, prefix.size()) != prefix) continue;
    const std::string_view next = value.substr(prefix.size());
    const bool clean = std::none_of(value.begin(), value.end(), [](char c) {
      return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
    });
    if (clean && value.size() <= 2048 &&
        (next.empty() || next.front() == ':' || next.front() == '/'))
      return true;
  }
  return false;
}

// mongodb://HOST[:PORT][,HOST...][/?OPTIONS] without credentials (those come from files).
std::optional<std::string> check_mongo_uri(std::string_view value) {
  constexpr std::string_view scheme = "mongodb://";
  if (value.substr(0, scheme.size()) != scheme) {
    return "expected mongodb://HOST[:PORT] (the scratch mongod), got \"" +
           std::string(value.substr(0, 40)) + "\"";
  }
  const std::string_view rest = value.substr(scheme.size());
  const auto authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return "expected mongodb://HOST[:PORT] without user:password@ (the password comes from "
           "mongo.password_file, never from the configuration or a command line)";
  }
  if (std::any_of(value.begin(), value.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == '\'' || c == 0x7f;
      })) {
    return "the URI must not contain spaces, quotes or control characters";
  }
  return std::nullopt;
}

// A resource pool ID (pve-access-control `pve-poolid`): letters, digits, '.', '-', '_'.
std::optional<std::string> check_pool_id(std::string_view value) {
  const bool ok =
      !value.empty() && value.size() <= 64 && std::all_of(value.begin(), value.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
      });
  if (ok) return std::nullopt;
  return "expected a resource pool ID (letters, digits, . - _), got \"" +
         std::string(value.substr(0, 40)) + "\"";
}

// A node name (pve-common `pve-node`: a DNS label).
std::optional<std::string> check_node_name(std::string_view value) {
  const bool ok = !value.empty() && value.size() <= 63 &&
                  std::isalnum(static_cast<unsigned char>(value.front())) != 0 &&
                  std::all_of(value.begin(), value.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
                  });
  if (ok) return std::nullopt;
  return "expected a node name (letters, digits, -), got \"" + std::string(value.substr(0, 40)) +
         "\"";
}

// A MongoDB collection name for an operator check: no '$', no NUL, not system.*, 1-120 bytes.
std::optional<std::string> check_collection_name(std::string_view value) {
  if (value.empty() || value.size() > 120 || value.find('$') != std::string_view::npos ||
      value.find('\0') != std::string_view::npos || value.substr(0, 7) == "system.") {
    return "expected a collection name of the dumped database (no $, not system.*), got \"" +
           std::string(value.substr(0, 40)) + "\"";
  }
  return std::nullopt;
}

// Extended JSON text of one query document.
std::optional<std::string> check_query(const std::string& text) {
  if (text.size() > 16 * 1024) return "a query of at most 16 KiB is expected";
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return "expected a query document in MongoDB Extended JSON, e.g. "
           "'{\"ts\": {\"$gte\": {\"$date\": \"2025-01-01T00:00:00Z\"}}}'";
  }
  return std::nullopt;
}

// A string value that may be empty (read_string refuses "").
bool read_text(FieldReader& reader, const YAML::Node& map, const std::string& p,
               std::string_view key, std::string& out) {
  std::string path;
  const auto f = reader.noted_field(map, p, key, path);
  if (!f) return false;
  if (f->value.IsNull()) {
    out.clear();
    return true;
  }
  auto text = reader.scalar(*f, "a string");
  if (!text) return false;
  out = *text;
  return true;
}

// A list of strings (scalars).
std::vector<std::string> read_string_list(FieldReader& reader, const YAML::Node& map,
                                          const std::string& p, std::string_view key) {
  std::vector<std::string> out;
  std::string path;
  const auto f = reader.noted_field(map, p, key, path);
  if (!f || f->value.IsNull()) return out;
  if (!f->value.IsSequence()) {
    reader.error(f->value, path, "expected a list, got " + describe(f->value), f->key);
    return out;
  }
  for (std::size_t i = 0; i < f->value.size(); ++i) {
    const YAML::Node item = f->value[i];
    const std::string ip = path + "[" + std::to_string(i) + "]";
    if (!item.IsScalar() || item.Scalar().empty()) {
      reader.error(item, ip, "expected a non-empty string, got " + describe(item), f->key);
      continue;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

void decode_check(const Field& section, FieldReader& reader, DrillCheckConfig& check) {
  const YAML::Node& map = section.value;
  const std::string& p = section.path;
  if (!reader.check_mapping(map, p, k_drill_check_keys)) return;
  reader.require(map, p, "command", section.key);
  check.command = read_string_list(reader, map, p, "command");
  if (const auto f = reader.field(map, p, "command");
      f && !f->value.IsNull() && f->value.IsSequence() && check.command.empty()) {
    reader.error(f->value, f->path,
                 "the check's command is empty: give the program and its arguments, e.g. "
                 "[systemctl, is-active, docker]",
                 f->key);
  }
  reader.read_path(map, p, "pct", check.pct);
  reader.read_int(map, p, "timeout_s", 1, 86400, check.timeout_s);
}

void decode_drill_vzdump(const Field& section, const TargetConfig& target, FieldReader& reader,
                         DrillVzdumpConfig& vz) {
  const YAML::Node& map = section.value;
  const std::string& p = section.path;
  if (!reader.check_mapping(map, p, k_drill_vzdump_keys)) return;
  if (reader.require(map, p, "vmid", section.key) &&
      reader.read_int(map, p, "vmid", 100, 999'999'999, vz.vmid) && vz.vmid == target.vmid) {
    const auto f = reader.field(map, p, "vmid");
    reader.error(f->value, f->path,
                 "the scratch vmid must not be the target's own vmid (" +
                     std::to_string(target.vmid) + "): pick a free one, e.g. " +
                     std::to_string(target.vmid + 9000));
  }
  if (reader.require(map, p, "storage", section.key) &&
      reader.read_string(map, p, "storage", vz.storage)) {
    report(reader, reader.field(map, p, "storage"), config_checks::check_storage_id(vz.storage));
  }
  if (reader.read_string(map, p, "pool", vz.pool)) {
    report(reader, reader.field(map, p, "pool"), check_pool_id(vz.pool));
  }
  if (reader.read_string(map, p, "node", vz.node)) {
    report(reader, reader.field(map, p, "node"), check_node_name(vz.node));
  }
  reader.read_int(map, p, "restore_timeout_s", 60, 86400, vz.restore_timeout_s);
  reader.read_int(map, p, "boot_timeout_s", 5, 3600, vz.boot_timeout_s);
  if (const auto c = reader.field(map, p, "check")) {
    DrillCheckConfig check;
    decode_check(*c, reader, check);
    vz.check = std::move(check);
  }
}

void decode_drill_mongo(const Field& section, FieldReader& reader, DrillMongoConfig& mg) {
  const YAML::Node& map = section.value;
  const std::string& p = section.path;
  if (!reader.check_mapping(map, p, k_drill_mongo_keys)) return;
  if (reader.read_string(map, p, "uri", mg.uri)) {
    report(reader, reader.field(map, p, "uri"), check_mongo_uri(mg.uri));
  }
  std::string command;
  if (read_text(reader, map, p, "command", command)) mg.command = command;
  reader.read_enum(map, p, "shell", {"mongosh", "mongo"}, mg.shell);
  reader.read_int(map, p, "timeout_s", 10, 86400, mg.timeout_s);
  std::string path;
  const auto checks = reader.noted_field(map, p, "checks", path);
  if (!checks || checks->value.IsNull()) return;
  if (!checks->value.IsSequence()) {
    reader.error(checks->value, path, "expected a list of {collection, query, min_count}",
                 checks->key);
    return;
  }
  for (std::size_t i = 0; i < checks->value.size(); ++i) {
    const YAML::Node item = checks->value[i];
    const std::string ip = path + "[" + std::to_string(i) + "]";
    if (!item.IsMap()) {
      reader.error(item, ip, "expected a mapping {collection, query, min_count}", checks->key);
      continue;
    }
    if (!reader.check_mapping(item, ip, k_drill_mongo_check_keys)) continue;
    DrillMongoCheck check;
    if (reader.require(item, ip, "collection") &&
        reader.read_string(item, ip, "collection", check.collection)) {
      report(reader, reader.field(item, ip, "collection"), check_collection_name(check.collection));
    }
    if (reader.read_string(item, ip, "query", check.query)) {
      report(reader, reader.field(item, ip, "query"), check_query(check.query));
    }
    std::int64_t min = 1;
    if (reader.read_int(item, ip, "min_count", 0, INT64_MAX, min)) {
      check.min_count = static_cast<std::uint64_t>(min);
    }
    mg.checks.push_back(std::move(check));
  }
}

}  // namespace

void decode_drill_and_coverage(const YAML::Node& node, const std::string& path, FieldReader& reader,
                               TargetConfig& target) {
  if (const auto section = reader.field(node, path, "drill")) {
    DrillConfig drill;
    const YAML::Node& map = section->value;
    const std::string& p = section->path;
    if (reader.check_mapping(map, p, k_drill_keys)) {
      std::string path_every;
      if (const auto every = reader.noted_field(map, p, "every", path_every)) {
        const auto text = reader.scalar(*every, "an interval such as 90d, 12w or 36h");
        const auto seconds = text ? parse_interval(*text) : std::nullopt;
        if (seconds) {
          drill.every_s = *seconds;
        } else if (text) {
          reader.error(every->value, every->path,
                       "expected an interval such as 90d, 12w or 36h (or a number of days), got " +
                           describe(every->value),
                       every->key);
        }
      }
      reader.read_bool(map, p, "in_run", drill.in_run);
      if (const auto vz = reader.field(map, p, "vzdump")) {
        DrillVzdumpConfig config;
        decode_drill_vzdump(*vz, target, reader, config);
        if (!target.vzdump) {
          reader.error(vz->key, vz->path,
                       "a vzdump drill needs the target's vzdump tier (add a vzdump section)");
        }
        drill.vzdump = std::move(config);
      }
      if (const auto mg = reader.field(map, p, "mongo")) {
        DrillMongoConfig config;
        decode_drill_mongo(*mg, reader, config);
        if (!target.mongo) {
          reader.error(mg->key, mg->path,
                       "a mongo drill needs the target's mongo tier (add a mongo section)");
        }
        drill.mongo = std::move(config);
      }
      if (!drill.vzdump && !drill.mongo) {
        reader.error(section->key, p,
                     "enables no drill: add a vzdump section, a mongo section, "
                     "or both");
      }
    }
    target.drill = std::move(drill);
  }
  if (const auto section = reader.field(node, path, "coverage")) {
    const YAML::Node& map = section->value;
    const std::string& p = section->path;
    if (reader.check_mapping(map, p, k_coverage_keys)) {
      target.coverage.accept_uncovered = read_string_list(reader, map, p, "accept_uncovered");
      for (const auto& a : target.coverage.accept_uncovered) {
        if (a.front() != '/') {
          const auto f = reader.field(map, p, "accept_uncovered");
          reader.error(
              f->value, f->path,
              "expected absolute paths inside the container, got \"" + a.substr(0, 40) + "\"");
        }
      }
      target.coverage.skip_databases = read_string_list(reader, map, p, "skip_databases");
      for (const auto& db : target.coverage.skip_databases) {
        if (auto problem = config_checks::check_database_name(db)) {
          const auto f = reader.field(map, p, "skip_databases");
          reader.error(f->value, f->path, *problem);
        }
      }
      reader.read_bool(map, p, "in_run", target.coverage.in_run);
    }
  }
}

void decode_events(const std::optional<Field>& section, FieldReader& reader, EventsConfig& events) {
  if (!section) return;
  const YAML::Node& map = section->value;
  const std::string& p = section->path;
  if (!reader.check_mapping(map, p, k_events_keys)) return;
  reader.read_int(map, p, "timeout_s", 1, 300, events.timeout_s);
  std::filesystem::path ca;
  if (reader.read_path(map, p, "ca_file", ca)) events.ca_file = ca;
  reader.read_bool(map, p, "allow_plain_loopback", events.allow_plain_loopback);
  const auto url = [&](const YAML::Node& m, const std::string& mp, std::string_view key,
                       std::string& out) {
    if (!reader.read_string(m, mp, key, out)) return;
    if (events.allow_plain_loopback && is_plain_loopback_url(out)) return;
    report(reader, reader.field(m, mp, key), check_https_url(out));
  };
  if (const auto ping = reader.field(map, p, "ping")) {
    if (reader.check_mapping(ping->value, ping->path, k_ping_keys)) {
      url(ping->value, ping->path, "start", events.ping_start);
      url(ping->value, ping->path, "success", events.ping_success);
      url(ping->value, ping->path, "fail", events.ping_fail);
    }
  }
  if (const auto hook = reader.field(map, p, "webhook")) {
    if (reader.check_mapping(hook->value, hook->path, k_webhook_keys)) {
      reader.require(hook->value, hook->path, "url", hook->key);
      url(hook->value, hook->path, "url", events.webhook_url);
      std::filesystem::path auth;
      if (reader.read_path(hook->value, hook->path, "authorization_file", auth)) {
        events.webhook_authorization_file = auth;
      }
      reader.read_bool(hook->value, hook->path, "include_messages",
                       events.webhook_include_messages);
    }
  }
}

}  // namespace agent::config_yaml
