// POST /nodes/{node}/vzdump: synchronous checks, then a task (docs/proxmox-api.md sections 3, 11);
// GET /nodes/{node}/vzdump/defaults and /extractconfig. Upstream: pve-manager
// PVE/API2/VZDump.pm (vzdump, defaults, extractconfig), PVE/VZDump.pm
// (verify_vzdump_parameters, read_vzdump_defaults, new), pve-guest-common PVE/VZDump/Common.pm
// (the schema, command_line).
#include <cstdio>
#include <regex>

#include "tests/pvesim/api_common.hpp"
#include "tests/pvesim/notes_template.hpp"
#include "tests/pvesim/vzdump_conf.hpp"

namespace pvesim {
namespace {

// "7.1-12" / "9.2.11" -> at least major.minor?
bool release_at_least(const std::string& version, int major, int minor) {
  int ma = 0;
  int mi = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &ma, &mi) < 1) return true;
  return ma > major || (ma == major && mi >= minor);
}

std::string enum_error(const std::string& value, const std::string& list) {
  return "value '" + value + "' does not have a value in the enumeration '" + list + "'";
}

// pve-common JSONSchema.pm pve_verify_email_or_username over PVE::Tools::split_list.
bool valid_mailto(const std::string& list) {
  static const std::regex item(R"(^[\w+\-~]+(\.[\w+\-~]+)*(@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*)?$)");
  std::string s = list;
  for (char& c : s) {
    if (c == ',' || c == ';') c = ' ';
  }
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i && !std::regex_match(s.substr(i, j - i), item)) return false;
    i = j;
  }
  return true;
}

// PVE::Tools::shellquote for the command line ('...' unless plain).
std::string shell_quote(const std::string& v) {
  static const std::regex plain(R"(^[-a-zA-Z0-9_.+=:/@,]+$)");
  if (std::regex_match(v, plain)) return v;
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  return out + "'";
}

}  // namespace

ApiResponse handle_vzdump(Call& call, const std::string& node) {
  World& w = call.world;
  // maxfiles: dropped from the schema (pve-guest-common 4a8f6cb "schema: backup: drop
  // 'maxfiles' parameter", PVE 9); older releases still accept it.
  const bool has_maxfiles = !release_at_least(w.options.pve_version, 9, 0);
  std::initializer_list<const char*> allowed = {"vmid",
                                                "mode",
                                                "storage",
                                                "compress",
                                                "notes-template",
                                                "protected",
                                                "remove",
                                                "prune-backups",
                                                "all",
                                                "exclude",
                                                "pool",
                                                "mailto",
                                                "mailnotification",
                                                "notification-mode",
                                                "lockwait",
                                                "stopwait",
                                                "bwlimit",
                                                "ionice",
                                                "performance",
                                                "tmpdir",
                                                "dumpdir",
                                                "script",
                                                "job-id",
                                                "stdout",
                                                "stop",
                                                "exclude-path",
                                                "stdexcludes",
                                                "pigz",
                                                "zstd",
                                                "fleecing",
                                                "pbs-change-detection-mode",
                                                "quiet",
                                                "node"};
  json errors = json::object();
  for (const auto& [key, value] : call.req.params) {
    if (key == "maxfiles" && has_maxfiles) continue;
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      errors[key] =
          "property is not defined in schema and the schema does not allow additional "
          "properties";
    }
  }
  if (!errors.empty()) return param_error(w, errors);
  // notes-template and protected arrived with PVE 7.2 (docs/proxmox-api.md section 14): older
  // schemas reject them like any unknown parameter, before a task starts.
  if (!release_at_least(w.options.pve_version, 7, 2)) {
    for (const char* newer : {"notes-template", "protected"}) {
      if (call.has_param(newer)) {
        errors[newer] =
            "property is not defined in schema and the schema does not allow additional "
            "properties";
      }
    }
    if (!errors.empty()) return param_error(w, errors);
  }
  for (const char* root_only : {"tmpdir", "dumpdir", "script", "job-id"}) {
    if (call.has_param(root_only)) errors[root_only] = "Only root may set this option.";
  }
  if (call.has_param("stdout"))
    errors["stdout"] = "option is only allowed on the command line interface.";
  std::optional<ApiResponse> bad;
  const bool all = bool_param(call, "all", bad).value_or(false);
  const bool protect_param = bool_param(call, "protected", bad).value_or(false);
  const auto remove_param = bool_param(call, "remove", bad);
  const bool stop = bool_param(call, "stop", bad).value_or(false);
  if (bad) return *bad;
  const std::string vmid_text = call.param("vmid");
  if (call.has_param("vmid") && all) errors["all"] = "option conflicts with option 'vmid'";
  if (!call.has_param("vmid") && !all && !call.has_param("pool") && !stop) {
    errors["vmid"] = "property is missing and it is not optional";
  }
  static const std::regex vmid_re(R"(^[1-9][0-9]{2,8}$)");
  if (call.has_param("vmid") && !std::regex_match(vmid_text, vmid_re)) {
    errors["vmid"] = "invalid format - value does not look like a valid VM ID\n";
  }
  const auto& conf = w.vzdump_conf;
  auto conf_value = [&](const std::string& key) -> std::optional<std::string> {
    const auto it = conf.find(key);
    if (it == conf.end()) return std::nullopt;
    return it->second;
  };
  // Explicit parameters beat /etc/vzdump.conf, which beats the schema defaults
  // (VZDump.pm new).
  const std::string mode = call.param("mode", conf_value("mode").value_or("snapshot"));
  if (mode != "snapshot" && mode != "suspend" && mode != "stop") {
    errors["mode"] = enum_error(mode, "snapshot, suspend, stop");
  }
  const std::string compress = call.param("compress", conf_value("compress").value_or("0"));
  if (compress != "0" && compress != "1" && compress != "gzip" && compress != "lzo" &&
      compress != "zstd") {
    errors["compress"] = enum_error(compress, "0, 1, gzip, lzo, zstd");
  }
  if (call.has_param("notification-mode")) {
    const std::string v = call.param("notification-mode");
    if (v != "auto" && v != "legacy-sendmail" && v != "notification-system") {
      errors["notification-mode"] = enum_error(v, "auto, legacy-sendmail, notification-system");
    }
  }
  if (call.has_param("pbs-change-detection-mode")) {
    const std::string v = call.param("pbs-change-detection-mode");
    if (v != "legacy" && v != "data" && v != "metadata") {
      errors["pbs-change-detection-mode"] = enum_error(v, "legacy, data, metadata");
    }
  }
  if (call.has_param("mailto") && !valid_mailto(call.param("mailto"))) {
    errors["mailto"] =
        "invalid format - value does not look like a valid email address or user name\n";
  }
  const bool has_storage = call.has_param("storage");
  if (call.has_param("notes-template")) {
    if (!has_storage) errors["storage"] = "missing property required by 'notes-template'";
    // The schema's maxLength comes first, in characters of the decoded parameter.
    if (const auto e = notes_template_length_error(call.param("notes-template"))) {
      errors["notes-template"] = *e;
    } else if (const auto v = notes_template_error(call.param("notes-template"))) {
      errors["notes-template"] = *v + "\n";
    }
  }
  if (protect_param && !has_storage) {
    errors["storage"] = "missing property required by 'protected'";
  }
  if (call.has_param("prune-backups")) {
    if (const auto p = parse_prune_options(call.param("prune-backups")); !p) {
      errors["prune-backups"] = p.error();
    }
  }
  std::int64_t lockwait = std::stoll(conf_value("lockwait").value_or("180"));
  if (call.has_param("lockwait")) {
    const std::string v = call.param("lockwait");
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) {
      errors["lockwait"] = "type check ('integer') failed - got '" + v + "'";
    } else {
      lockwait = std::stoll(v);
    }
  }
  if (!errors.empty()) return param_error(w, errors);

  // get_storage_param: the parameter or 'local' (vzdump.conf is read only inside the task).
  const std::string checked_storage = call.param("storage", "local");
  for (const char* sys : {"bwlimit", "ionice", "performance"}) {
    if (call.has_param(sys) && !call.may("/", "Sys.Modify")) {
      return perm_error(w, "/", "Sys.Modify");
    }
  }
  if (call.has_param("prune-backups") &&
      !call.may("/storage/" + checked_storage, "Datastore.Allocate")) {
    return perm_error(w, "/storage/" + checked_storage, "Datastore.Allocate");
  }
  if (stop) {
    if (!call.may("/nodes/" + node, "Sys.Modify")) {
      return perm_error(w, "/nodes/" + node, "Sys.Modify");
    }
    for (auto& t : w.tasks) {
      if (t.node == node && t.type == "vzdump") w.stop_task(t);
    }
    w.tick();
    return ok("OK");
  }
  if (all || !call.has_param("vmid")) {
    return error(w, 500, "pvesim: only single-guest vzdump (vmid=<id>) is simulated");
  }
  const std::int64_t vmid = std::stoll(vmid_text);
  const auto guest = w.guests.find(vmid);
  if (guest != w.guests.end() && guest->second.node != node) return ok("OK");  // silent exit
  if (!call.may("/storage/" + checked_storage, "Datastore.AllocateSpace")) {
    return perm_error(w, "/storage/" + checked_storage, "Datastore.AllocateSpace");
  }
  const std::string storage =
      has_storage ? call.param("storage") : conf_value("storage").value_or("local");
  if (!w.has_storage(storage)) return error(w, 500, "storage '" + storage + "' does not exist");

  VzdumpJob job;
  job.vmid = vmid;
  job.storage = storage;
  job.mode = mode;
  job.compress = compress;
  // notes-template and protected from vzdump.conf apply only when a storage is in effect,
  // which it always is here.
  if (call.has_param("notes-template")) {
    job.notes_template = call.param("notes-template");
  } else if (const auto t = conf_value("notes-template")) {
    job.notes_template = *t;
  }
  job.protect = protect_param || conf_value("protected").value_or("0") == "1";
  job.remove = remove_param.value_or(conf_value("remove").value_or("1") == "1");
  if (call.has_param("prune-backups")) job.prune_param = call.param("prune-backups");
  job.conf_prune = conf_value("prune-backups");
  job.lockwait_minutes = lockwait;
  job.may_backup = call.may("/vms/" + vmid_text, "VM.Backup");
  job.may_allocate = call.may("/storage/" + storage, "Datastore.Allocate");
  job.change_detection_mode = call.param("pbs-change-detection-mode");
  // Common.pm command_line: "vzdump <vmids>" then " --<key> <shellquoted value>" for the
  // parameters (Perl hash order; a fixed order here), the path's node among them.
  job.command_line = "vzdump " + vmid_text;
  std::map<std::string, std::string> shown = call.req.params;
  shown.erase("vmid");
  shown["node"] = node;
  for (const auto& [k, v] : shown) {
    if (!v.empty()) job.command_line += " --" + k + " " + shell_quote(v);
  }
  return ok(w.start_vzdump(node, call.token.token_id, std::move(job)));
}

ApiResponse handle_vzdump_defaults(Call& call, const std::string& node) {
  World& w = call.world;
  if (!w.options.vzdump_defaults_endpoint) return not_implemented(w, call.req);
  if (auto bad = reject_unknown(call, {"storage"})) return *bad;
  // read_vzdump_defaults: the schema defaults, then /etc/vzdump.conf over them.
  std::map<std::string, std::string> res = vzdump_schema_defaults();
  for (const auto& [k, v] : w.vzdump_conf) res[k] = v;
  if (call.has_param("storage")) res["storage"] = call.param("storage");
  if (!res.count("dumpdir") && !res.count("storage")) res["storage"] = "local";
  if (res.count("storage")) {
    const std::string storage = res["storage"];
    if (!call.may("/storage/" + storage, "Datastore.Audit") &&
        !call.may("/storage/" + storage, "Datastore.AllocateSpace")) {
      return perm_error(w, "/storage/" + storage, "Datastore.Audit|Datastore.AllocateSpace");
    }
    // VZDump.pm storage_info: dumpdir (directory storages) and the storage's prune-backups.
    const StorageSpec* spec = w.storage_spec(storage);
    if (spec == nullptr) return error(w, 500, "storage '" + storage + "' does not exist");
    if (spec->kind == StorageSpec::Kind::dir) res["dumpdir"] = w.dump_dir(storage).string();
    if (!spec->prune_backups.empty()) res["prune-backups"] = spec->prune_backups;
  }
  // print_property_string: keys sorted.
  if (const auto p = parse_prune_options(res["prune-backups"])) {
    std::string printed;
    std::map<std::string, std::int64_t> sorted = p->keep;
    if (p->keep_all_flag) sorted["keep-all"] = 1;
    for (const auto& [k, v] : sorted) {
      printed += (printed.empty() ? "" : ",") + k + "=" + std::to_string(v);
    }
    res["prune-backups"] = printed.empty() ? "keep-all=1" : printed;
  }
  // Normal backup users do not need to know these (no Sys.Audit on the node).
  if (!call.may("/nodes/" + node, "Sys.Audit")) {
    for (const char* hidden : {"mailto", "tmpdir", "dumpdir", "script", "ionice"}) {
      res.erase(hidden);
    }
  }
  json out = json::object();
  static const std::set<std::string> numbers{"all",      "stdexcludes", "pigz",    "zstd",
                                             "quiet",    "stop",        "bwlimit", "ionice",
                                             "lockwait", "stopwait",    "remove",  "protected"};
  for (const auto& [k, v] : res) {
    if (numbers.count(k) && !v.empty() && v.find_first_not_of("0123456789") == std::string::npos) {
      out[k] = std::stoll(v);
    } else {
      out[k] = v;
    }
  }
  return ok(out);
}

ApiResponse handle_extractconfig(Call& call, const std::string& node) {
  World& w = call.world;
  (void)node;
  if (auto bad = reject_unknown(call, {"volume"})) return *bad;
  if (!call.has_param("volume")) {
    return param_error(w, json{{"volume", "property is missing and it is not optional"}});
  }
  const std::string volid = call.param("volume");
  // check_volume_access(undef, $volume, 'backup'), then VM.Backup on the owner.
  if (auto denied = backup_access_error(call, volid, 0)) return *denied;
  const auto colon = volid.find(':');
  const auto file = w.find_volume(volid.substr(0, colon), volid.substr(colon + 1));
  if (!file) return error(w, 500, "volume '" + volid + "' does not exist");
  if (file->vmid != 0 && !call.may("/vms/" + std::to_string(file->vmid), "VM.Backup")) {
    return perm_error(w, "/vms/" + std::to_string(file->vmid), "VM.Backup");
  }
  const auto conf = w.archived_config(*file);
  if (!conf) return error(w, 500, "unable to extract the configuration from '" + volid + "'");
  return ok(*conf);
}

}  // namespace pvesim
