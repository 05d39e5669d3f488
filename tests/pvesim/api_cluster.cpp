// Guest, cluster and storage-configuration endpoints (pve-api.md §8, §10).
#include "tests/pvesim/api_common.hpp"

namespace pvesim {
namespace {

json guest_resource(const World& w, const Guest& g) {
  json item{{"id", g.type + "/" + std::to_string(g.vmid)},
            {"vmid", g.vmid},
            {"node", g.node},
            {"type", g.type},
            {"status", g.running ? "running" : "stopped"},
            {"name", g.name},
            {"uptime", g.running ? 86400 : 0},
            {"template", 0},
            {"cpu", 0.0123},
            {"maxcpu", 2},
            {"mem", 536870912},
            {"maxmem", 2147483648LL},
            {"disk", 3221225472LL},
            {"maxdisk", 8589934592LL},
            {"netin", 123456},
            {"netout", 654321},
            {"diskread", 1000},
            {"diskwrite", 2000}};
  if (const auto it = w.locks.find(g.vmid); it != w.locks.end() && !it->second.empty()) {
    item["lock"] = it->second;
  }
  return item;
}

json storage_status(const World& w, const std::string& node) {
  return json{{"storage", w.options.storage},
              {"type", "dir"},
              {"content", "backup,iso,vztmpl"},
              {"active", 1},
              {"enabled", 1},
              {"shared", 0},
              {"total", 107374182400LL},
              {"used", 10737418240LL},
              {"avail", 96636764160LL},
              {"node", node}};
}

}  // namespace

ApiResponse handle_lxc(Call& call, const std::string& node) {
  World& w = call.world;
  const auto& s = call.req.segments;
  if (call.req.method != "GET") return not_implemented(w, call.req);
  if (s.size() == 3) {
    json list = json::array();
    for (const auto& [vmid, g] : w.guests) {
      if (g.node == node && g.type == "lxc" && call.has("VM.Audit")) {
        list.push_back(guest_resource(w, g));
      }
    }
    return ok(list);
  }
  const std::string vmid_text = s[3];
  if (vmid_text.empty() || vmid_text.find_first_not_of("0123456789") != std::string::npos) {
    return param_error(w,
                       json{{"vmid", "invalid format - value does not look like a valid VM ID"}});
  }
  const std::int64_t vmid = std::stoll(vmid_text);
  if (!call.has("VM.Audit")) return perm_error(w, "/vms/" + vmid_text, "VM.Audit");
  const auto it = w.guests.find(vmid);
  if (it == w.guests.end() || it->second.node != node || it->second.type != "lxc") {
    return error(
        w, 500,
        "Configuration file 'nodes/" + node + "/lxc/" + vmid_text + ".conf' does not exist");
  }
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
    json cfg{{"hostname", g.name},
             {"arch", "amd64"},
             {"ostype", "debian"},
             {"cores", 2},
             {"memory", 2048},
             {"swap", 512},
             {"rootfs", "local-lvm:vm-" + vmid_text + "-disk-0,size=8G"},
             {"net0", "name=eth0,bridge=vmbr0,ip=dhcp,type=veth"},
             {"digest", "0123456789abcdef0123456789abcdef01234567"}};
    if (const auto l = w.locks.find(vmid); l != w.locks.end() && !l->second.empty()) {
      cfg["lock"] = l->second;
    }
    return ok(cfg);
  }
  return not_implemented(w, call.req);
}

ApiResponse handle_cluster(Call& call) {
  World& w = call.world;
  const auto& s = call.req.segments;
  if (call.req.method != "GET") return not_implemented(w, call.req);
  if (s[0] == "storage") {
    if (!call.has("Datastore.Allocate")) {
      return perm_error(w, "/storage/" + (s.size() > 1 ? s[1] : std::string()),
                        "Datastore.Allocate");
    }
    json cfg{{"storage", w.options.storage},
             {"type", "dir"},
             {"path", (w.options.data_dir / "storage" / w.options.storage).string()},
             {"content", "backup,iso,vztmpl"},
             {"digest", "fedcba9876543210fedcba9876543210fedcba98"}};
    if (!w.options.prune_backups.empty()) cfg["prune-backups"] = w.options.prune_backups;
    if (w.options.max_protected_backups) {
      cfg["max-protected-backups"] = *w.options.max_protected_backups;
    }
    if (s.size() == 1) return ok(json::array({cfg}));
    if (s.size() == 2 && w.has_storage(s[1])) return ok(cfg);
    if (s.size() == 2) return error(w, 500, "storage '" + s[1] + "' does not exist");
    return not_implemented(w, call.req);
  }
  if (s.size() == 2 && s[1] == "resources") {
    if (auto bad = reject_unknown(call, {"type"})) return *bad;
    const std::string type = call.param("type");
    if (!type.empty() && type != "vm" && type != "storage" && type != "node" && type != "sdn") {
      return param_error(w, json{{"type", "value '" + type +
                                              "' does not have a value in the "
                                              "enumeration 'vm, storage, node, sdn'"}});
    }
    json list = json::array();
    if (type.empty() || type == "vm") {
      for (const auto& [vmid, g] : w.guests) {
        if (call.has("VM.Audit")) list.push_back(guest_resource(w, g));
      }
    }
    if (type.empty() || type == "node") {
      for (const auto& n : w.options.nodes) {
        list.push_back({{"id", "node/" + n}, {"node", n}, {"type", "node"}, {"status", "online"}});
      }
    }
    if (type.empty() || type == "storage") {
      for (const auto& n : w.options.nodes) {
        json st = storage_status(w, n);
        list.push_back({{"id", "storage/" + n + "/" + w.options.storage},
                        {"storage", w.options.storage},
                        {"node", n},
                        {"type", "storage"},
                        {"status", "available"},
                        {"plugintype", "dir"},
                        {"content", st["content"]},
                        {"shared", 0},
                        {"disk", st["used"]},
                        {"maxdisk", st["total"]}});
      }
    }
    return ok(list);
  }
  if (s.size() >= 2 && s[1] == "backup") {
    if (!call.has("Sys.Audit")) return perm_error(w, "/", "Sys.Audit");
    json jobs = json::array();
    for (const auto& text : w.backup_jobs) {
      const json job = json::parse(text, nullptr, false);
      if (job.is_object()) jobs.push_back(job);
    }
    if (s.size() == 2) return ok(jobs);
    for (const auto& j : jobs) {
      if (j.is_object() && j.value("id", "") == s[2]) return ok(j);
    }
    return error(w, 500, "Job '" + s[2] + "' does not exist");
  }
  return not_implemented(w, call.req);
}

json storage_status_json(const World& w, const std::string& node) {
  return storage_status(w, node);
}

}  // namespace pvesim
