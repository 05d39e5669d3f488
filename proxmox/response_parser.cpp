// JSON decoding of Proxmox VE API answers. nlohmann exceptions stay in this file: every entry
// point catches them and returns Error{parse}. PVE encodes booleans as 1/0 and some integers
// as strings (e.g. backup job vmid lists), so the readers below accept both forms.
//
// Answers come from outside (issue 11): before nlohmann sees a body, invalid UTF-8 is replaced
// by U+FFFD (text::to_valid_utf8), and a pre-scan refuses nesting deeper than k_max_depth, so
// no later recursive step (copy, dump, destruction) can exhaust the stack.
// Numbers are range-checked (a float out of range, an unsigned above INT64_MAX, a negative
// size are parse errors, never a wrapped or undefined conversion).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "proxmox/backup_name.hpp"
#include "proxmox/pct_config.hpp"
#include "proxmox/response_parser.hpp"
#include "proxmox/text.hpp"

namespace proxmox::parse {
namespace {

using nlohmann::json;

constexpr int k_max_depth = 64;  // PVE's deepest answers nest 4-5 levels

struct TooDeep : std::runtime_error {
  TooDeep()
      : std::runtime_error("the answer nests deeper than " + std::to_string(k_max_depth) +
                           " levels") {}
};

// Nesting depth of a JSON text, counted outside strings; stops counting past `limit`. A
// linear pre-scan: nlohmann's parser itself is iterative, but its callback form (the obvious
// way to limit depth) is quadratic in the number of values in 3.11, and copies and dumps of
// a deep value recurse.
bool deeper_than(const std::string& text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// The one way this file parses JSON.
json parse_json(const std::string& body) {
  if (deeper_than(body, k_max_depth)) throw TooDeep();
  if (text::is_valid_utf8(body)) return json::parse(body);
  return json::parse(text::to_valid_utf8(body));
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string str(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return dump(*it);
}

[[noreturn]] void out_of_range(const char* key) {
  throw std::runtime_error(std::string("\"") + key + "\" is not a number in range");
}

std::int64_t integer(const json& obj, const char* key, std::int64_t fallback = 0) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (it->is_number_unsigned()) {
    const auto u = it->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      out_of_range(key);
    }
    return static_cast<std::int64_t>(u);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_number_float()) {
    const double d = it->get<double>();
    // [-2^63, 2^63): both bounds are exact doubles.
    if (!std::isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
      out_of_range(key);
    }
    return static_cast<std::int64_t>(d);
  }
  if (it->is_boolean()) return it->get<bool>() ? 1 : 0;
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    if (s.empty()) return fallback;
    std::int64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) out_of_range(key);
    return v;
  }
  out_of_range(key);
}

std::uint64_t size_of(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it != obj.end() && it->is_number_unsigned()) return it->get<std::uint64_t>();
  const std::int64_t v = integer(obj, key);
  if (v < 0) out_of_range(key);
  return static_cast<std::uint64_t>(v);
}

bool boolean(const json& obj, const char* key, bool fallback = false) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  return integer(obj, key, fallback ? 1 : 0) != 0;
}

std::optional<bool> opt_boolean(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  return boolean(obj, key);
}

// Parses the envelope and returns `data`; throws on malformed JSON.
json data_of(const std::string& body) {
  json doc = parse_json(body);
  if (!doc.is_object() || !doc.contains("data")) {
    throw std::runtime_error("the answer has no \"data\" member");
  }
  return std::move(doc["data"]);
}

template <typename F>
auto guarded(const char* what, F&& f) -> Result<decltype(f())> {
  try {
    return f();
  } catch (const std::exception& e) {
    return make_error(Error::Kind::parse, std::string("cannot decode the Proxmox answer to ") +
                                              what + ": " + text::to_valid_utf8(e.what()));
  }
}

json require_array(json data) {
  if (!data.is_array()) throw std::runtime_error("\"data\" is not a list");
  return data;
}

json require_object(json data) {
  if (!data.is_object()) throw std::runtime_error("\"data\" is not an object");
  return data;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

constexpr const char* k_privileges_hint =
    "The agent's token needs VM.Backup and VM.Audit on /vms/<vmid> (role PVEVMUser) and "
    "Datastore.AllocateSpace and Datastore.Audit on /storage/<storage> (role "
    "PVEDatastoreUser); with privilege separation (privsep=1) the token needs these ACL "
    "entries itself, e.g. `pveum acl modify /vms/106 --tokens 'smokerbak@pve!agent' --roles "
    "PVEVMUser`.";

}  // namespace

Error error_from_response(const Request& request, const Response& response) {
  const std::string what = std::string(to_string(request.method)) + " " + request.path_string();
  // The reason phrase is raw header text: keep it valid UTF-8 and short.
  std::string detail = text::to_valid_utf8(response.reason.substr(0, 1024));
  std::string params;
  std::string message;
  try {
    if (!response.body.empty()) {
      json doc = parse_json(response.body);
      if (doc.is_object()) {
        if (auto it = doc.find("errors"); it != doc.end() && it->is_object()) {
          for (const auto& [key, value] : it->items()) {
            if (!params.empty()) params += "; ";
            params += key + ": " + trim(value.is_string() ? value.get<std::string>() : dump(value));
          }
        }
        message = trim(str(doc, "message"));
      }
    }
  } catch (const std::exception&) {
    // Not JSON (e.g. an HTML error page from a proxy): the reason phrase is all we have.
  }
  std::string text = what + ": HTTP " + std::to_string(response.status);
  if (!detail.empty()) text += " " + detail;
  if (!message.empty() && message != detail) text += " (" + message + ")";
  if (!params.empty()) text += " [" + params + "]";

  if (response.status == 401) {
    return Error{Error::Kind::auth, 401,
                 text +
                     ". The API token was not accepted: check proxmox.token_id "
                     "(USER@REALM!TOKENID) and the token_secret file, and that the token "
                     "and its user exist, are enabled and not expired (`pveum user token "
                     "list <user>`)."};
  }
  if (response.status == 403) {
    return Error{Error::Kind::permission, 403,
                 text + ". The token lacks the privilege named above. " + k_privileges_hint};
  }
  Error::Kind kind = Error::Kind::http_status;
  const std::string haystack = detail + " " + message;
  if (haystack.find("does not exist") != std::string::npos ||
      haystack.find("no such task") != std::string::npos ||
      params.find("no such task") != std::string::npos) {
    kind = Error::Kind::not_found;
  }
  return Error{kind, response.status, text};
}

Result<Version> version(const std::string& body) {
  return guarded("GET /version", [&] {
    const json d = require_object(data_of(body));
    return Version{str(d, "version"), str(d, "release"), str(d, "repoid")};
  });
}

Result<std::vector<ClusterGuest>> cluster_guests(const std::string& body) {
  return guarded("GET /cluster/resources", [&] {
    std::vector<ClusterGuest> out;
    for (const auto& item : require_array(data_of(body))) {
      const std::string type = str(item, "type");
      if (type != "lxc" && type != "qemu") continue;
      ClusterGuest g;
      g.vmid = integer(item, "vmid");
      g.node = str(item, "node");
      g.type = type;
      g.status = str(item, "status");
      g.name = str(item, "name");
      g.lock = str(item, "lock");
      g.tags = str(item, "tags");
      g.template_ = boolean(item, "template");
      out.push_back(std::move(g));
    }
    return out;
  });
}

Result<GuestStatus> guest_status(const std::string& body) {
  return guarded("GET status/current", [&] {
    const json d = require_object(data_of(body));
    return GuestStatus{integer(d, "vmid"), str(d, "status"), str(d, "name"), str(d, "lock"),
                       str(d, "tags")};
  });
}

Result<std::string> string_data(const std::string& body) {
  return guarded("the request", [&] {
    const json d = data_of(body);
    if (d.is_null()) return std::string();
    if (!d.is_string()) throw std::runtime_error("\"data\" is not a string");
    return d.get<std::string>();
  });
}

Result<TaskStatus> task_status(const std::string& body) {
  return guarded("GET task status", [&] {
    const json d = require_object(data_of(body));
    TaskStatus s;
    s.upid = str(d, "upid");
    s.running = str(d, "status") == "running";
    s.exitstatus = str(d, "exitstatus");
    s.starttime = integer(d, "starttime");
    return s;
  });
}

Result<TaskLogPage> task_log(const std::string& body) {
  return guarded("GET task log", [&] {
    json doc = parse_json(body);
    if (!doc.is_object() || !doc.contains("data")) {
      throw std::runtime_error("the answer has no \"data\" member");
    }
    TaskLogPage page;
    for (const auto& item : require_array(doc.at("data"))) {
      page.lines.push_back({integer(item, "n"), str(item, "t")});
    }
    page.total = integer(doc, "total", static_cast<std::int64_t>(page.lines.size()));
    return page;
  });
}

Result<std::vector<TaskSummary>> task_list(const std::string& body) {
  return guarded("GET tasks", [&] {
    std::vector<TaskSummary> out;
    for (const auto& item : require_array(data_of(body))) {
      TaskSummary t;
      t.upid = str(item, "upid");
      t.type = str(item, "type");
      t.id = str(item, "id");
      t.user = str(item, "user");
      if (auto tok = str(item, "tokenid"); !tok.empty()) t.user += "!" + tok;
      t.starttime = integer(item, "starttime");
      t.status = str(item, "status");
      // Active tasks carry status "RUNNING" (Tasks.pm node_tasks); compare without case.
      std::string lower = t.status;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      t.running = !item.contains("endtime") && (lower.empty() || lower == "running");
      out.push_back(std::move(t));
    }
    return out;
  });
}

Result<std::vector<BackupVolume>> backup_list(const std::string& body) {
  return guarded("GET storage content", [&] {
    std::vector<BackupVolume> out;
    for (const auto& item : require_array(data_of(body))) {
      BackupVolume v;
      v.volid = str(item, "volid");
      v.size = size_of(item, "size");
      v.ctime = integer(item, "ctime");
      v.notes = str(item, "notes");
      v.is_protected = boolean(item, "protected");
      v.vmid = integer(item, "vmid");
      v.subtype = str(item, "subtype");
      v.format = str(item, "format");
      if (auto it = item.find("verification"); it != item.end() && it->is_object()) {
        v.verification = Verification{str(*it, "state"), str(*it, "upid")};
      }
      v.encrypted = str(item, "encrypted");
      v.name = parse_backup_volid(v.volid);
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<VolumeInfo> volume_info(const std::string& body) {
  return guarded("GET volume attributes", [&] {
    const json d = require_object(data_of(body));
    VolumeInfo v;
    v.path = str(d, "path");
    v.size = size_of(d, "size");
    v.used = size_of(d, "used");
    v.format = str(d, "format");
    v.notes = str(d, "notes");
    v.is_protected = boolean(d, "protected");
    return v;
  });
}

Result<std::vector<BackupJob>> backup_jobs(const std::string& body) {
  return guarded("GET /cluster/backup", [&] {
    std::vector<BackupJob> out;
    for (const auto& item : require_array(data_of(body))) {
      BackupJob j;
      j.id = str(item, "id");
      j.enabled = boolean(item, "enabled", true);
      j.all = boolean(item, "all");
      j.vmid = str(item, "vmid");
      j.exclude = str(item, "exclude");
      j.pool = str(item, "pool");
      j.storage = str(item, "storage");
      j.schedule = str(item, "schedule");
      j.prune_backups = str(item, "prune-backups");
      if (auto it = item.find("prune-backups"); it != item.end() && it->is_object()) {
        // Newer servers return the property string as an object: {"keep-daily":7,...}.
        std::string s;
        for (const auto& [k, v] : it->items()) {
          if (!s.empty()) s += ",";
          s += k + "=" + (v.is_string() ? v.get<std::string>() : dump(v));
        }
        j.prune_backups = s;
      }
      j.remove = boolean(item, "remove", true);
      out.push_back(std::move(j));
    }
    return out;
  });
}

Result<StorageConfig> storage_config(const std::string& body) {
  return guarded("GET /storage/{storage}", [&] {
    const json d = require_object(data_of(body));
    StorageConfig c;
    c.storage = str(d, "storage");
    c.type = str(d, "type");
    c.content = str(d, "content");
    c.prune_backups = str(d, "prune-backups");
    if (d.contains("max-protected-backups")) {
      c.max_protected_backups = static_cast<int>(integer(d, "max-protected-backups"));
    }
    return c;
  });
}

namespace {

StorageStatus storage_status_of(const json& d) {
  StorageStatus s;
  s.storage = str(d, "storage");
  s.type = str(d, "type");
  s.content = str(d, "content");
  s.shared = boolean(d, "shared");
  s.active = boolean(d, "active");
  s.enabled = boolean(d, "enabled", true);
  s.total = size_of(d, "total");
  s.used = size_of(d, "used");
  s.avail = size_of(d, "avail");
  return s;
}

}  // namespace

Result<std::vector<StorageStatus>> storage_statuses(const std::string& body) {
  return guarded("GET /nodes/{node}/storage", [&] {
    std::vector<StorageStatus> out;
    for (const auto& item : require_array(data_of(body))) {
      if (item.is_object()) out.push_back(storage_status_of(item));
    }
    return out;
  });
}

Result<StorageStatus> storage_status(const std::string& body) {
  return guarded("GET storage status",
                 [&] { return storage_status_of(require_object(data_of(body))); });
}

Result<VzdumpDefaults> vzdump_defaults(const std::string& body) {
  return guarded("GET vzdump/defaults", [&] {
    const json d = require_object(data_of(body));
    VzdumpDefaults v;
    v.storage = str(d, "storage");
    v.prune_backups = str(d, "prune-backups");
    if (auto it = d.find("prune-backups"); it != d.end() && it->is_object()) {
      std::string s;
      for (const auto& [k, val] : it->items()) {
        if (!s.empty()) s += ",";
        s += k + "=" + (val.is_string() ? val.get<std::string>() : dump(val));
      }
      v.prune_backups = s;
    }
    v.mode = str(d, "mode");
    v.compress = str(d, "compress");
    v.notes_template = str(d, "notes-template");
    v.notification_mode = str(d, "notification-mode");
    v.mailto = str(d, "mailto");
    v.remove = opt_boolean(d, "remove");
    v.is_protected = opt_boolean(d, "protected");
    for (const auto& [k, val] : d.items()) {
      v.all.emplace_back(k, val.is_string() ? val.get<std::string>() : dump(val));
    }
    return v;
  });
}

Result<LxcConfig> lxc_config(const std::string& body) {
  return guarded("GET lxc config", [&] {
    const json d = require_object(data_of(body));
    LxcConfig c;
    for (const auto& [k, val] : d.items()) {
      if (k == "lxc" && val.is_array()) {
        for (const auto& pair : val) {
          if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
            c.lxc.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
          }
        }
        continue;
      }
      const std::string value = val.is_string() ? val.get<std::string>() : dump(val);
      if (k == "description") {
        c.description = value;
        continue;
      }
      c.entries.emplace_back(k, value);
    }
    classify_entries(c);
    return c;
  });
}

Result<std::vector<std::string>> permissions(const std::string& body, const std::string& path) {
  return guarded("GET access permissions", [&] {
    const json d = require_object(data_of(body));
    std::vector<std::string> privileges;
    const auto it = d.find(path);
    if (it == d.end() || !it->is_object()) return privileges;  // nothing held there
    for (const auto& [name, value] : it->items()) {
      (void)value;
      const bool shaped =
          !name.empty() && name.size() <= 64 &&
          name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.") ==
              std::string::npos;
      if (shaped && privileges.size() < 256) privileges.push_back(name);
    }
    std::sort(privileges.begin(), privileges.end());
    return privileges;
  });
}

Result<std::int64_t> integer_data(const std::string& body) {
  return guarded("the request", [&] {
    const json doc = json{{"data", data_of(body)}};
    return integer(doc, "data");
  });
}

namespace {

PruneMark::Mark prune_mark_of(const std::string& word) {
  if (word == "keep") return PruneMark::Mark::keep;
  if (word == "remove") return PruneMark::Mark::remove;
  if (word == "protected") return PruneMark::Mark::protected_backup;
  if (word == "renamed") return PruneMark::Mark::renamed;
  throw std::runtime_error("\"mark\" is not keep, remove, protected or renamed");
}

}  // namespace

Result<std::vector<PruneMark>> prune_marks(const std::string& body) {
  return guarded("GET prunebackups", [&] {
    std::vector<PruneMark> out;
    for (const auto& item : require_array(data_of(body))) {
      out.push_back({str(item, "volid"), integer(item, "ctime"), prune_mark_of(str(item, "mark"))});
    }
    return out;
  });
}

Result<Upid> upid(const std::string& text) {
  // Fields: UPID, node, pid, pstart, starttime, type, id, user, "" (trailing colon).
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto colon = text.find(':', start);
    if (colon == std::string::npos) {
      parts.push_back(text.substr(start));
      break;
    }
    parts.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
  auto bad = [&] {
    return make_error(Error::Kind::parse, "\"" + text + "\" is not a Proxmox task id (UPID)");
  };
  if (parts.size() != 9 || parts[0] != "UPID" || !parts[8].empty() || parts[1].empty() ||
      parts[5].empty() || parts[7].empty()) {
    return bad();
  }
  auto hex = [](const std::string& s, std::int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  Upid u;
  std::int64_t pstart = 0;
  if (!hex(parts[2], u.pid) || !hex(parts[3], pstart) || !hex(parts[4], u.starttime)) {
    return bad();
  }
  u.node = parts[1];
  u.type = parts[5];
  u.id = parts[6];
  u.user = parts[7];
  return u;
}

}  // namespace proxmox::parse
