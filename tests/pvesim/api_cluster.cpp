// Guest, cluster and storage-configuration endpoints (docs/proxmox-api.md sections 9, 10).
#include <algorithm>

#include "tests/pvesim/api_common.hpp"

namespace pvesim {

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
  for (const auto& [k, v] : g.config) {
    if (k == "tags") item["tags"] = v;
  }
  if (!g.pool.empty()) item["pool"] = g.pool;
  return item;
}

namespace {

std::string plugin_type(const StorageSpec& spec) {
  switch (spec.kind) {
    case StorageSpec::Kind::dir:
      return "dir";
    case StorageSpec::Kind::pbs:
      return "pbs";
    case StorageSpec::Kind::provider:
      return spec.provider_type;
  }
  return "dir";
}

bool on_node(const StorageSpec& spec, const std::string& node) {
  return spec.nodes.empty() ||
         std::find(spec.nodes.begin(), spec.nodes.end(), node) != spec.nodes.end();
}

std::string content_of(const World& w, const StorageSpec& spec) {
  return spec.id == w.options.storage ? "backup,iso,vztmpl" : "backup";
}

// GET /storage/{id} (pve-storage API2/Storage/Config.pm read): the section config.
json storage_config(const World& w, const StorageSpec& spec) {
  json cfg{{"storage", spec.id},
           {"type", plugin_type(spec)},
           {"content", content_of(w, spec)},
           {"digest", "fedcba9876543210fedcba9876543210fedcba98"}};
  if (spec.kind == StorageSpec::Kind::dir) {
    cfg["path"] = (w.options.data_dir / "storage" / spec.id).string();
  }
  if (spec.kind == StorageSpec::Kind::pbs) {
    cfg["server"] = spec.pbs_server;
    cfg["datastore"] = spec.pbs_datastore;
    cfg["username"] = spec.pbs_username;
  }
  if (spec.shared && spec.kind == StorageSpec::Kind::dir) cfg["shared"] = 1;
  if (!spec.nodes.empty()) {
    std::string nodes;
    for (const auto& n : spec.nodes) nodes += (nodes.empty() ? "" : ",") + n;
    cfg["nodes"] = nodes;
  }
  if (!spec.prune_backups.empty()) cfg["prune-backups"] = spec.prune_backups;
  if (spec.max_protected_backups) cfg["max-protected-backups"] = *spec.max_protected_backups;
  return cfg;
}

}  // namespace

// One item of GET /nodes/{node}/storage (pve-storage Storage.pm storage_info).
json storage_status_json(const World& w, const std::string& storage, const std::string& node) {
  const StorageSpec* spec = w.storage_spec(storage);
  if (spec == nullptr) return json::object();
  const bool here = on_node(*spec, node);
  return json{{"storage", spec->id},
              {"type", plugin_type(*spec)},
              {"content", content_of(w, *spec)},
              {"active", here ? 1 : 0},
              {"enabled", here ? 1 : 0},
              {"shared", spec->shared ? 1 : 0},
              {"total", here ? 107374182400LL : 0},
              {"used", here ? 10737418240LL : 0},
              {"avail", here ? 96636764160LL : 0}};
}

ApiResponse handle_cluster(Call& call) {
  World& w = call.world;
  const auto& s = call.req.segments;
  if (call.req.method != "GET") return not_implemented(w, call.req);
  if (s[0] == "storage") {
    if (s.size() == 1) {
      json list = json::array();
      for (const auto& [id, spec] : w.storages) {
        if (call.may("/storage/" + id, "Datastore.Allocate"))
          list.push_back(storage_config(w, spec));
      }
      return ok(list);
    }
    if (s.size() != 2) return not_implemented(w, call.req);
    if (!call.may("/storage/" + s[1], "Datastore.Allocate")) {
      return perm_error(w, "/storage/" + s[1], "Datastore.Allocate");
    }
    const StorageSpec* spec = w.storage_spec(s[1]);
    if (spec == nullptr) return error(w, 500, "storage '" + s[1] + "' does not exist");
    return ok(storage_config(w, *spec));
  }
  if (s.size() == 2 && s[1] == "nextid") {
    // pve-manager PVE/API2/Cluster.pm nextid: any user; the vmid parameter is echoed (a string).
    if (auto bad = reject_unknown(call, {"vmid"})) return *bad;
    if (call.has_param("vmid")) {
      const std::string v = call.param("vmid");
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) {
        return param_error(
            w, json{{"vmid", "invalid format - value does not look like a valid VM ID\n"}});
      }
      if (w.guests.count(std::stoll(v))) {
        return param_error(w, json{{"vmid", "VM " + v + " already exists"}});
      }
      return ok(v);
    }
    for (std::int64_t id = 100; id < 1000000; ++id) {
      if (!w.guests.count(id)) return ok(id);
    }
    return error(w, 500, "unable to get any free VMID in range [100, 1000000]");
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
        if (call.may("/vms/" + std::to_string(vmid), "VM.Audit")) {
          list.push_back(guest_resource(w, g));
        }
      }
    }
    if (type.empty() || type == "node") {
      for (const auto& n : w.options.nodes) {
        list.push_back({{"id", "node/" + n}, {"node", n}, {"type", "node"}, {"status", "online"}});
      }
    }
    if (type.empty() || type == "storage") {
      for (const auto& n : w.options.nodes) {
        for (const auto& [id, spec] : w.storages) {
          if (!call.may("/storage/" + id, "Datastore.Audit") &&
              !call.may("/storage/" + id, "Datastore.AllocateSpace")) {
            continue;
          }
          const json st = storage_status_json(w, id, n);
          list.push_back({{"id", "storage/" + n + "/" + id},
                          {"storage", id},
                          {"node", n},
                          {"type", "storage"},
                          {"status", st["active"] == 1 ? "available" : "unknown"},
                          {"plugintype", st["type"]},
                          {"content", st["content"]},
                          {"shared", st["shared"]},
                          {"disk", st["used"]},
                          {"maxdisk", st["total"]}});
        }
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

}  // namespace pvesim
