// The `offsite` section: destinations for the off-site tier (docs/configuration.md).
#include <algorithm>
#include <cctype>
#include <set>

#include "agent/config/config_schema.hpp"
#include "agent/config/config_validators.hpp"

namespace agent {

const char* to_string(OffsiteLock lock) {
  switch (lock) {
    case OffsiteLock::off:
      return "off";
    case OffsiteLock::governance:
      return "governance";
    case OffsiteLock::compliance:
      return "compliance";
  }
  return "off";
}

}  // namespace agent

namespace agent::config_yaml {
namespace {

const std::vector<std::string_view> k_offsite_keys = {"destinations"};
const std::vector<std::string_view> k_destination_keys = {"name",
                                                          "endpoint",
                                                          "region",
                                                          "bucket",
                                                          "prefix",
                                                          "addressing",
                                                          "credentials_file",
                                                          "ca_file",
                                                          "fingerprint",
                                                          "storage_class",
                                                          "max_upload_kib_per_s",
                                                          "recipients",
                                                          "lock",
                                                          "retention",
                                                          "verify_budget_mib",
                                                          "part_size_mib",
                                                          "parts_in_flight"};

void report(FieldReader& reader, const YAML::Node& map, const std::string& parent,
            std::string_view key, const std::optional<std::string>& problem) {
  if (!problem) return;
  const auto f = reader.field(map, parent, key);
  reader.error(f->value, f->path, *problem, f->key);
}

std::string quote_text(std::string_view v) {
  std::string text(v.substr(0, 60));
  if (v.size() > 60) text += "...";
  return "\"" + text + "\"";
}

std::optional<std::string> check_destination_name(std::string_view v) {
  const bool ok = !v.empty() && v.size() <= 32 && std::isalnum(static_cast<unsigned char>(v[0])) &&
                  std::all_of(v.begin(), v.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                  });
  if (ok) return std::nullopt;
  return "expected 1-32 characters of a-z, 0-9 and '-' (it names the destination in status, "
         "metrics and receipts), got " +
         quote_text(v);
}

bool is_loopback_host(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

// https://HOST[:PORT], or http:// to a loopback address (a local gateway, the tests).
std::optional<std::string> check_endpoint(std::string_view v, bool& plain_loopback) {
  plain_loopback = false;
  std::string_view rest;
  if (v.rfind("https://", 0) == 0) {
    rest = v.substr(8);
  } else if (v.rfind("http://", 0) == 0) {
    rest = v.substr(7);
    plain_loopback = true;
  } else {
    return "expected an https:// URL of the S3 service, got " + quote_text(v);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ \t") != std::string_view::npos) {
    return "expected https://HOST[:PORT] without a path (the bucket is its own key), got " +
           quote_text(v);
  }
  if (plain_loopback) {
    std::string_view host = rest;
    if (host.front() == '[') {
      host = host.substr(0, host.find(']') + 1);
    } else {
      host = host.substr(0, host.find(':'));
    }
    if (!is_loopback_host(host)) {
      return "http:// is accepted only for 127.0.0.1 (credentials and data must not travel in "
             "clear text): use https://, got " +
             quote_text(v);
    }
  }
  return std::nullopt;
}

// S3 bucket naming rules: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit.
std::optional<std::string> check_bucket(std::string_view v) {
  auto edge = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  const bool ok =
      v.size() >= 3 && v.size() <= 63 && edge(v.front()) && edge(v.back()) &&
      std::all_of(v.begin(), v.end(), [&](char c) { return edge(c) || c == '.' || c == '-'; }) &&
      v.find("..") == std::string_view::npos;
  if (ok) return std::nullopt;
  return "expected an S3 bucket name (3-63 characters of a-z, 0-9, '.' and '-'), got " +
         quote_text(v);
}

// Key prefixes become object names: [A-Za-z0-9._-] segments separated by '/'.
std::optional<std::string> check_prefix(std::string_view v) {
  if (v.empty()) return std::nullopt;
  if (v.size() > 200) return "expected at most 200 characters, got " + std::to_string(v.size());
  if (v.front() == '/' || v.find("//") != std::string_view::npos) {
    return "expected segments separated by single '/', not starting with '/', got " + quote_text(v);
  }
  for (char c : v) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
          c == '/')) {
      return "expected a key prefix of A-Z, a-z, 0-9, '.', '_', '-' and '/', got " + quote_text(v);
    }
  }
  for (std::size_t start = 0; start < v.size();) {
    auto end = v.find('/', start);
    if (end == std::string_view::npos) end = v.size();
    const auto seg = v.substr(start, end - start);
    if (seg == "." || seg == "..")
      return "'.' and '..' are not allowed as segments: " + quote_text(v);
    start = end + 1;
  }
  return std::nullopt;
}

// The shape of an age X25519 recipient (bech32 "age1" + 58 characters); the key itself is
// parsed by the off-site tier (agent/offsite), which `config check` runs too.
std::optional<std::string> check_recipient_shape(std::string_view v) {
  constexpr std::string_view charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  const bool ok = v.size() == 62 && v.rfind("age1", 0) == 0 &&
                  std::all_of(v.begin() + 4, v.end(),
                              [&](char c) { return charset.find(c) != std::string_view::npos; });
  if (ok) return std::nullopt;
  if (v.rfind("AGE-SECRET-KEY-", 0) == 0) {
    return "this is an age identity (a secret key), not a recipient: put only the public key "
           "(age1..., from `age-keygen -y`) here and keep the identity off this host";
  }
  return "expected an age X25519 recipient (age1 followed by 58 characters, as age-keygen "
         "prints it), got " +
         quote_text(v);
}

// True when `more` keeps at least what `base` keeps, rule by rule.
bool keeps_at_least(const policies::RetentionPolicy& more, const policies::RetentionPolicy& base) {
  if (more.keep_all) return true;
  if (base.keep_all) return false;
  auto ge = [](const std::optional<std::int64_t>& a, const std::optional<std::int64_t>& b) {
    return a.value_or(0) >= b.value_or(0);
  };
  return ge(more.keep_last, base.keep_last) && ge(more.keep_hourly, base.keep_hourly) &&
         ge(more.keep_daily, base.keep_daily) && ge(more.keep_weekly, base.keep_weekly) &&
         ge(more.keep_monthly, base.keep_monthly) && ge(more.keep_yearly, base.keep_yearly);
}

void decode_recipients(const YAML::Node& map, const std::string& p, FieldReader& reader,
                       OffsiteDestination& d, const YAML::Node& section_key) {
  const auto f = reader.field(map, p, "recipients");
  if (!f) {
    reader.error(map, join(p, "recipients"),
                 "missing required key: list the age public keys (age1...) that may decrypt "
                 "the copies; their identities stay off this host",
                 section_key);
    return;
  }
  reader.note(f->path, ValueOrigin::file, f->key);
  std::vector<YAML::Node> items;
  if (f->value.IsScalar()) {
    items.push_back(f->value);
  } else if (f->value.IsSequence() && f->value.size() > 0) {
    for (const auto& n : f->value) items.push_back(n);
  } else {
    reader.error(f->value, f->path,
                 "expected a list of age recipients (age1...), got " + describe(f->value), f->key);
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string path = f->path + "[" + std::to_string(i) + "]";
    if (!items[i].IsScalar()) {
      reader.error(items[i], path, "expected an age recipient, got " + describe(items[i]));
      continue;
    }
    const std::string text = items[i].Scalar();
    if (auto problem = check_recipient_shape(text)) {
      reader.error(items[i], path, *problem);
      continue;
    }
    if (!seen.insert(text).second) {
      reader.error(items[i], path, "duplicate recipient");
      continue;
    }
    d.recipients.push_back(text);
  }
}

void decode_tls(const YAML::Node& map, const std::string& p, FieldReader& reader,
                OffsiteDestination& d) {
  const auto ca = reader.field(map, p, "ca_file");
  const auto fp = reader.field(map, p, "fingerprint");
  if (ca && fp && !ca->value.IsNull() && !fp->value.IsNull()) {
    reader.error(fp->key, fp->path, "set either ca_file or fingerprint, not both");
    return;
  }
  if (fp && !fp->value.IsNull()) {
    std::string text;
    if (!reader.read_string(map, p, "fingerprint", text)) return;
    if (auto problem = config_checks::check_fingerprint(text)) {
      report(reader, map, p, "fingerprint", problem);
      return;
    }
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    d.fingerprint = text;
    return;
  }
  reader.note(join(p, "fingerprint"), ValueOrigin::default_value);
  if (ca && !ca->value.IsNull()) {
    std::filesystem::path path;
    if (reader.read_path(map, p, "ca_file", path)) d.ca_file = path;
  } else {
    reader.note(join(p, "ca_file"), ValueOrigin::default_value);
  }
}

OffsiteDestination decode_destination(const YAML::Node& node, const std::string& p,
                                      FieldReader& reader) {
  OffsiteDestination d;
  if (!node.IsMap()) {
    reader.error(node, p,
                 "expected a mapping (name, endpoint, bucket, credentials_file, recipients, ...), "
                 "got " +
                     describe(node));
    return d;
  }
  if (!reader.check_mapping(node, p, k_destination_keys)) return d;
  for (const auto* key : {"name", "endpoint", "bucket", "credentials_file"}) {
    reader.require(node, p, key);
  }
  if (reader.read_string(node, p, "name", d.name)) {
    if (auto problem = check_destination_name(d.name)) {
      report(reader, node, p, "name", problem);
      d.name.clear();
    }
  }
  if (reader.read_string(node, p, "endpoint", d.endpoint)) {
    report(reader, node, p, "endpoint", check_endpoint(d.endpoint, d.plain_loopback));
    while (d.endpoint.size() > 8 && d.endpoint.back() == '/') d.endpoint.pop_back();
  }
  reader.read_string(node, p, "region", d.region);
  if (d.region.empty() || d.region.size() > 64) {
    const auto f = reader.field(node, p, "region");
    if (f) reader.error(f->value, f->path, "expected a region name such as us-east-1", f->key);
  }
  if (reader.read_string(node, p, "bucket", d.bucket)) {
    report(reader, node, p, "bucket", check_bucket(d.bucket));
  }
  if (reader.read_string(node, p, "prefix", d.prefix)) {
    if (auto problem = check_prefix(d.prefix)) {
      report(reader, node, p, "prefix", problem);
    } else if (!d.prefix.empty() && d.prefix.back() != '/') {
      d.prefix += '/';
    }
  }
  std::string addressing = "path";
  reader.read_enum(node, p, "addressing", {"path", "virtual_host"}, addressing);
  d.virtual_host = addressing == "virtual_host";
  SecretRef credentials;
  if (read_secret_ref(node, p, "credentials_file", reader, credentials)) {
    d.credentials_path = credentials.path;
    d.credentials_from_credentials = credentials.from_credentials;
  }
  decode_tls(node, p, reader, d);
  if (reader.read_string(node, p, "storage_class", d.storage_class)) {
    const bool ok = !d.storage_class.empty() && d.storage_class.size() <= 32 &&
                    std::all_of(d.storage_class.begin(), d.storage_class.end(), [](char c) {
                      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                    });
    if (!ok) {
      report(reader, node, p, "storage_class",
             "expected an S3 storage class such as STANDARD, STANDARD_IA or GLACIER_IR, got " +
                 quote_text(d.storage_class));
    }
  }
  std::int64_t kib = 0;
  if (reader.read_int(node, p, "max_upload_kib_per_s", 0, 100'000'000, kib)) {
    d.max_upload_bytes_per_second = static_cast<std::uint64_t>(kib) * 1024;
  }
  decode_recipients(node, p, reader, d, YAML::Node());
  std::string lock = "compliance";
  reader.read_enum(node, p, "lock", {"compliance", "governance", "off"}, lock);
  d.lock = lock == "off"          ? OffsiteLock::off
           : lock == "governance" ? OffsiteLock::governance
                                  : OffsiteLock::compliance;
  if (const auto r = reader.field(node, p, "retention")) {
    reader.note(r->path, ValueOrigin::file, r->key);
    d.retention = decode_retention(*r, reader);
  } else {
    reader.note(join(p, "retention"), ValueOrigin::default_value);
  }
  std::int64_t mib = 0;
  if (reader.read_int(node, p, "verify_budget_mib", 0, 1'000'000'000, mib)) {
    d.verify_budget_bytes = static_cast<std::uint64_t>(mib) << 20;
  }
  std::int64_t part_mib = 8;
  if (reader.read_int(node, p, "part_size_mib", 8, 5120, part_mib)) {
    d.part_size_bytes = static_cast<std::uint64_t>(part_mib) << 20;
  }
  reader.read_int(node, p, "parts_in_flight", 1, 16, d.parts_in_flight);
  return d;
}

}  // namespace

void decode_offsite(const std::optional<Field>& section, FieldReader& reader, Config& config) {
  if (!section) {
    reader.note("offsite", ValueOrigin::default_value);
    return;
  }
  reader.note("offsite", ValueOrigin::file, section->key);
  const YAML::Node& map = section->value;
  if (!reader.check_mapping(map, "offsite", k_offsite_keys)) return;
  const auto list = reader.field(map, "offsite", "destinations");
  if (!list || !list->value.IsSequence() || list->value.size() == 0) {
    reader.error(list ? list->value : map, "offsite.destinations",
                 "expected a non-empty list of destinations (name, endpoint, bucket, "
                 "credentials_file, recipients); remove the offsite section to turn off-site "
                 "copies off",
                 section->key);
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->value.size(); ++i) {
    const std::string path = "offsite.destinations[" + std::to_string(i) + "]";
    OffsiteDestination d = decode_destination(list->value[i], path, reader);
    if (!d.name.empty() && !names.insert(d.name).second) {
      const auto f = reader.field(list->value[i], path, "name");
      reader.error(f->value, f->path, "duplicate destination name \"" + d.name + "\"");
    }
    // Off-site keeps at least what the host keeps, for every target.
    if (d.retention) {
      std::vector<std::pair<std::string, const policies::RetentionPolicy*>> locals = {
          {"the global retention", &config.retention}};
      for (const auto& t : config.targets) {
        if (t.retention) locals.emplace_back("target " + t.name + "'s retention", &*t.retention);
      }
      for (const auto& [what, local] : locals) {
        if (!keeps_at_least(*d.retention, *local)) {
          const auto f = reader.field(list->value[i], path, "retention");
          reader.error(f->value, f->path,
                       "keeps fewer backups than " + what + " (" +
                           policies::to_prune_string(*local) +
                           "); an off-site override may only keep more: raise its counts or "
                           "remove it to use the same policy",
                       f->key);
          break;
        }
      }
    }
    config.offsite.destinations.push_back(std::move(d));
  }
}

}  // namespace agent::config_yaml
