// JSON decoding of Proxmox VE API answers. nlohmann exceptions stay in this file: every entry
// point catches them and returns Error{parse}. PVE encodes booleans as 1/0 and some integers
// as strings (e.g. backup job vmid lists), so the readers below accept both forms.
#include <charconv>

#include <nlohmann/json.hpp>

#include "proxmox/response_parser.hpp"

namespace proxmox::parse {
namespace {

using nlohmann::json;

std::string str(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::int64_t integer(const json& obj, const char* key, std::int64_t fallback = 0) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (it->is_number_integer() || it->is_number_unsigned()) return it->get<std::int64_t>();
  if (it->is_number_float()) return static_cast<std::int64_t>(it->get<double>());
  if (it->is_boolean()) return it->get<bool>() ? 1 : 0;
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    std::int64_t v = fallback;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  }
  return fallback;
}

bool boolean(const json& obj, const char* key, bool fallback = false) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  return integer(obj, key, fallback ? 1 : 0) != 0;
}

// Parses the envelope and returns `data`; throws on malformed JSON.
json data_of(const std::string& body) {
  json doc = json::parse(body);
  if (!doc.is_object() || !doc.contains("data")) {
    throw std::runtime_error("the answer has no \"data\" member");
  }
  return doc["data"];
}

template <typename F>
auto guarded(const char* what, F&& f) -> Result<decltype(f())> {
  try {
    return f();
  } catch (const std::exception& e) {
    return make_error(Error::Kind::parse,
                      std::string("cannot decode the Proxmox answer to ") + what + ": " + e.what());
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
  std::string detail = response.reason;
  std::string params;
  std::string message;
  try {
    if (!response.body.empty()) {
      json doc = json::parse(response.body);
      if (doc.is_object()) {
        if (auto it = doc.find("errors"); it != doc.end() && it->is_object()) {
          for (const auto& [key, value] : it->items()) {
            if (!params.empty()) params += "; ";
            params +=
                key + ": " + trim(value.is_string() ? value.get<std::string>() : value.dump());
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
      g.template_ = boolean(item, "template");
      out.push_back(std::move(g));
    }
    return out;
  });
}

Result<GuestStatus> guest_status(const std::string& body) {
  return guarded("GET status/current", [&] {
    const json d = require_object(data_of(body));
    return GuestStatus{integer(d, "vmid"), str(d, "status"), str(d, "name"), str(d, "lock")};
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
    json doc = json::parse(body);
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
      t.running = !item.contains("endtime") && (t.status.empty() || t.status == "running");
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
      v.size = static_cast<std::uint64_t>(integer(item, "size"));
      v.ctime = integer(item, "ctime");
      v.notes = str(item, "notes");
      v.is_protected = boolean(item, "protected");
      v.vmid = integer(item, "vmid");
      v.subtype = str(item, "subtype");
      v.format = str(item, "format");
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
    v.size = static_cast<std::uint64_t>(integer(d, "size"));
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
          s += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
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

Result<std::vector<PruneMark>> prune_marks(const std::string& body) {
  return guarded("GET prunebackups", [&] {
    std::vector<PruneMark> out;
    for (const auto& item : require_array(data_of(body))) {
      out.push_back({str(item, "volid"), integer(item, "ctime"), str(item, "mark")});
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
