// Container endpoints: list, config, status, restore (create), start, stop, destroy
// (pve-container src/PVE/API2/LXC.pm, API2/LXC/Config.pm, API2/LXC/Status.pm).
#include <algorithm>
#include <regex>
#include <set>

#include "tests/pvesim/api_common.hpp"

namespace pvesim {
namespace {

std::string config_missing(const std::string& node, const std::string& vmid) {
  // guest-common AbstractConfig.pm load_config
  return "Configuration file 'nodes/" + node + "/lxc/" + vmid + ".conf' does not exist";
}

bool valid_vmid(const std::string& v) {
  static const std::regex re(R"(^[1-9][0-9]{2,8}$)");
  return std::regex_match(v, re);
}

// The create/restore parameters upstream knows (create_vm: json_config_properties plus the
// create-only ones). Anything else is a 400, like every PVE schema with
// additionalProperties 0.
bool known_create_param(const std::string& k) {
  static const std::set<std::string> create{"vmid",         "ostemplate",
                                            "restore",      "storage",
                                            "force",        "unique",
                                            "pool",         "ignore-unpack-errors",
                                            "password",     "ssh-public-keys",
                                            "bwlimit",      "start",
                                            "ha-managed",   "arch",
                                            "cmode",        "console",
                                            "cores",        "cpulimit",
                                            "cpuunits",     "debug",
                                            "description",  "features",
                                            "hookscript",   "hostname",
                                            "lock",         "memory",
                                            "nameserver",   "onboot",
                                            "ostype",       "protection",
                                            "rootfs",       "searchdomain",
                                            "startup",      "swap",
                                            "tags",         "template",
                                            "timezone",     "tty",
                                            "unprivileged", "entrypoint",
                                            "env"};
  static const std::regex indexed(R"(^(net\d+|mp\d+|unused\d+|dev\d+)$)");
  return create.count(k) != 0 || std::regex_match(k, indexed);
}

ApiResponse create(Call& call, const std::string& node) {
  World& w = call.world;
  json errors = json::object();
  for (const auto& [k, v] : call.req.params) {
    if (!known_create_param(k)) {
      errors[k] =
          "property is not defined in schema and the schema does not allow additional properties";
    }
  }
  std::optional<ApiResponse> bad;
  const bool restore = bool_param(call, "restore", bad).value_or(false);
  const bool unique = bool_param(call, "unique", bad).value_or(false);
  const bool force = bool_param(call, "force", bad).value_or(false);
  (void)bool_param(call, "start", bad);
  for (const char* b : {"onboot", "protection"}) (void)bool_param(call, b, bad);
  if (bad) return *bad;
  const std::string vmid_text = call.param("vmid");
  if (!call.has_param("vmid")) {
    errors["vmid"] = "property is missing and it is not optional";
  } else if (!valid_vmid(vmid_text)) {
    errors["vmid"] = "invalid format - value does not look like a valid VM ID\n";
  }
  if (!call.has_param("ostemplate"))
    errors["ostemplate"] = "property is missing and it is not optional";
  if (unique && !call.has_param("restore"))
    errors["restore"] = "missing property required by 'unique'";
  if (!errors.empty()) return param_error(w, errors);

  const std::int64_t vmid = std::stoll(vmid_text);
  const std::string vm_path = "/vms/" + vmid_text;
  const bool exists = w.guests.count(vmid) != 0;
  if (exists && !(restore && force)) {
    // pve-cluster Cluster.pm check_vmid_unused
    const Guest& g = w.guests.at(vmid);
    return error(w, 500,
                 std::string(g.type == "qemu" ? "VM " : "CT ") + vmid_text +
                     " already exists on node '" + g.node + "'");
  }
  const std::string pool = call.param("pool");
  if (!pool.empty() &&
      std::find(w.options.pools.begin(), w.options.pools.end(), pool) == w.options.pools.end()) {
    return error(w, 403, "pool '" + pool + "' does not exist");  // check_pool_exist
  }
  // VM.Allocate on /vms/<vmid> or on /pool/<pool> (or VM.Backup for restoring over an
  // existing CT with force).
  const bool may_allocate = call.may(vm_path, "VM.Allocate") ||
                            (!pool.empty() && call.may("/pool/" + pool, "VM.Allocate")) ||
                            (restore && force && exists && call.may(vm_path, "VM.Backup"));
  if (!may_allocate) return error(w, 403, "Permission check failed");
  // check_ct_modify_config_perm (check_vm_perm: /vms/<vmid> or the pool)
  auto vm_may = [&](const std::string& priv) {
    return call.may(vm_path, priv) || (!pool.empty() && call.may("/pool/" + pool, priv));
  };
  static const std::regex net_re(R"(^net\d+$)");
  static const std::regex mp_re(R"(^(mp\d+|rootfs)$)");
  for (const auto& [k, v] : call.req.params) {
    if (k == "vmid" || k == "ostemplate" || k == "restore" || k == "storage" || k == "force" ||
        k == "unique" || k == "pool" || k == "start" || k == "ignore-unpack-errors" ||
        k == "bwlimit" || k == "password" || k == "ssh-public-keys" || k == "ha-managed") {
      continue;
    }
    if (std::regex_match(k, net_re) || k == "hostname" || k == "nameserver" ||
        k == "searchdomain") {
      if (!vm_may("VM.Config.Network")) return perm_error(w, vm_path, "VM.Config.Network");
    } else if (std::regex_match(k, mp_re)) {
      if (!v.empty() && v.front() == '/') {
        return error(w, 403,
                     "Permission check failed (mount point type bind is only allowed for "
                     "root@pam)");
      }
      if (!vm_may("VM.Config.Disk")) return perm_error(w, vm_path, "VM.Config.Disk");
    } else if (k == "memory" || k == "swap") {
      if (!vm_may("VM.Config.Memory")) return perm_error(w, vm_path, "VM.Config.Memory");
    } else if (k == "cores" || k == "cpuunits" || k == "cpulimit") {
      if (!vm_may("VM.Config.CPU")) return perm_error(w, vm_path, "VM.Config.CPU");
    } else {
      if (!vm_may("VM.Config.Options")) return perm_error(w, vm_path, "VM.Config.Options");
    }
  }
  const std::string ostemplate = call.param("ostemplate");
  GuestJob job;
  job.vmid = vmid;
  job.params = call.req.params;
  job.archive = ostemplate;
  job.may_privileged = call.may("/", "Sys.Modify");
  if (restore) {
    if (auto denied = backup_access_error(call, ostemplate, vmid)) return *denied;
    const auto colon = ostemplate.find(':');
    const auto file = w.find_volume(ostemplate.substr(0, colon), ostemplate.substr(colon + 1));
    if (!file) return error(w, 500, "volume '" + ostemplate + "' does not exist");
    const auto conf = w.archived_config(*file);
    if (!conf) return error(w, 500, "unable to read the configuration from '" + ostemplate + "'");
    job.archived_config = *conf;
  } else {
    return error(w, 500, "pvesim: only restores (restore=1) are simulated");
  }
  // $check_and_activate_storage on the target storage.
  const std::string storage = call.param("storage", "local");
  if (!w.has_storage(storage)) return error(w, 500, "storage '" + storage + "' does not exist");
  if (w.storage_spec(storage)->kind != StorageSpec::Kind::dir) {
    return param_error(
        w, json{{"storage", "storage '" + storage + "' does not support container directories"}});
  }
  if (!call.may("/storage/" + storage, "Datastore.AllocateSpace")) {
    return perm_error(w, "/storage/" + storage, "Datastore.AllocateSpace");
  }
  // create_and_lock_config: the CT exists from now on, locked 'create'.
  Guest& g = w.guests[vmid];
  g.vmid = vmid;
  g.node = node;
  g.type = "lxc";
  g.running = false;
  g.pool = pool;
  w.locks[vmid] = "create";
  w.creating.insert(vmid);
  TaskRecord& task = w.start_guest_task(node, "vzrestore", call.token.token_id, std::move(job));
  return ok(task.upid);
}

}  // namespace

std::optional<ApiResponse> backup_access_error(const Call& call, const std::string& volid,
                                               std::int64_t vmid) {
  // pve-storage Storage.pm check_volume_access($vmid, $volid, 'backup')
  World& w = call.world;
  const auto colon = volid.find(':');
  if (colon == std::string::npos) {
    return error(w, 500, "Only root can pass arbitrary filesystem paths.");
  }
  const std::string storage = volid.substr(0, colon);
  const std::string volname = volid.substr(colon + 1);
  if (volname.rfind("backup/", 0) != 0) {
    return error(w, 500, "unable to use volume " + volid + " - content type needs to be 'backup'");
  }
  if (!w.has_storage(storage)) return error(w, 500, "storage '" + storage + "' does not exist");
  if (call.may("/storage/" + storage, "Datastore.Allocate")) return std::nullopt;
  const auto file = w.find_volume(storage, volname);
  const std::int64_t owner = file ? file->vmid : 0;
  if (owner != 0 && owner == vmid) return std::nullopt;
  if (owner == 0) return error(w, 500, "missing privileges to access " + volid);
  if (!call.may("/storage/" + storage, "Datastore.AllocateSpace")) {
    return perm_error(w, "/storage/" + storage, "Datastore.AllocateSpace");
  }
  if (!call.may("/vms/" + std::to_string(owner), "VM.Backup")) {
    return perm_error(w, "/vms/" + std::to_string(owner), "VM.Backup");
  }
  return std::nullopt;
}

ApiResponse handle_lxc(Call& call, const std::string& node) {
  World& w = call.world;
  const auto& s = call.req.segments;
  const std::string& method = call.req.method;
  if (s.size() == 3) {
    if (method == "POST") return create(call, node);
    if (method != "GET") return not_implemented(w, call.req);
    json list = json::array();
    for (const auto& [vmid, g] : w.guests) {
      if (g.node == node && g.type == "lxc" &&
          call.may("/vms/" + std::to_string(vmid), "VM.Audit")) {
        list.push_back(guest_resource(w, g));
      }
    }
    return ok(list);
  }
  const std::string vmid_text = s[3];
  if (!valid_vmid(vmid_text)) {
    return param_error(w,
                       json{{"vmid", "invalid format - value does not look like a valid VM ID"}});
  }
  const std::int64_t vmid = std::stoll(vmid_text);
  const std::string vm_path = "/vms/" + vmid_text;
  const auto it = w.guests.find(vmid);
  const bool here = it != w.guests.end() && it->second.node == node && it->second.type == "lxc";

  if (s.size() == 4 && method == "DELETE") {
    if (auto bad = reject_unknown(call, {"force", "purge", "destroy-unreferenced-disks"})) {
      return *bad;
    }
    std::optional<ApiResponse> bad;
    const bool force = bool_param(call, "force", bad).value_or(false);
    (void)bool_param(call, "purge", bad);
    (void)bool_param(call, "destroy-unreferenced-disks", bad);
    if (bad) return *bad;
    if (!call.may(vm_path, "VM.Allocate")) return perm_error(w, vm_path, "VM.Allocate");
    if (!here) return error(w, 500, config_missing(node, vmid_text));
    const Guest& g = it->second;
    for (const auto& [k, v] : w.guest_config(g)) {
      if (k == "protection" && v == "1") {
        return error(w, 500, "can't remove CT " + vmid_text + " - protection mode enabled");
      }
    }
    if (const auto l = w.locks.find(vmid); l != w.locks.end() && !l->second.empty()) {
      return error(w, 500, "CT is locked (" + l->second + ")");
    }
    if (g.running && !force) {
      return error(w, 500, "unable to destroy CT " + vmid_text + " - container is running");
    }
    GuestJob job;
    job.vmid = vmid;
    job.params = call.req.params;
    return ok(w.start_guest_task(node, "vzdestroy", call.token.token_id, std::move(job)).upid);
  }

  if (s.size() == 6 && s[4] == "status" && method == "POST" &&
      (s[5] == "start" || s[5] == "stop")) {
    if (auto bad = reject_unknown(call, {"skiplock", "debug", "overrule-shutdown", "timeout"})) {
      return *bad;
    }
    if (call.has_param("skiplock")) {
      return param_error(w, json{{"skiplock", "Only root may use this option."}});
    }
    if (!call.may(vm_path, "VM.PowerMgmt")) return perm_error(w, vm_path, "VM.PowerMgmt");
    if (!here) return error(w, 500, config_missing(node, vmid_text));
    const bool start = s[5] == "start";
    if (start && it->second.running) return error(w, 500, "CT " + vmid_text + " already running");
    if (!start && !it->second.running) return error(w, 500, "CT " + vmid_text + " not running");
    GuestJob job;
    job.vmid = vmid;
    job.params = call.req.params;
    return ok(
        w.start_guest_task(node, start ? "vzstart" : "vzstop", call.token.token_id, std::move(job))
            .upid);
  }

  if (method != "GET") return not_implemented(w, call.req);
  if (!call.may(vm_path, "VM.Audit")) return perm_error(w, vm_path, "VM.Audit");
  if (!here) return error(w, 500, config_missing(node, vmid_text));
  const Guest& g = it->second;
  if (s.size() == 6 && s[4] == "status" && s[5] == "current") {
    json st = guest_resource(w, g);
    st.erase("id");
    st.erase("node");
    st.erase("type");
    st["cpus"] = 2;
    st["maxswap"] = 536870912;
    st["ha"] = json{{"managed", 0}};
    return ok(st);
  }
  if (s.size() == 5 && s[4] == "config") {
    if (auto bad = reject_unknown(call, {"current", "snapshot"})) return *bad;
    json cfg = json::object();
    json raw = json::array();
    for (const auto& [k, v] : w.guest_config(g)) {
      if (k.rfind("lxc.", 0) == 0) {
        raw.push_back(json::array({k, v}));
        continue;
      }
      // Config.pm check_type: integers and numbers come out as JSON numbers.
      static const std::set<std::string> numeric{"cores", "memory", "swap", "cpuunits", "tty"};
      if (numeric.count(k) && !v.empty() &&
          v.find_first_not_of("0123456789") == std::string::npos) {
        cfg[k] = std::stoll(v);
      } else if ((k == "onboot" || k == "protection" || k == "unprivileged" || k == "template") &&
                 (v == "0" || v == "1")) {
        cfg[k] = v == "1" ? 1 : 0;
      } else {
        cfg[k] = v;
      }
    }
    if (!raw.empty()) cfg["lxc"] = raw;
    cfg["digest"] = "0123456789abcdef0123456789abcdef01234567";
    return ok(cfg);
  }
  return not_implemented(w, call.req);
}

}  // namespace pvesim
