// Containers: their configuration, privileges on ACL paths, and the restore / start / stop /
// destroy tasks. Upstream: pve-container src/PVE/API2/LXC.pm (create_vm, destroy_vm),
// API2/LXC/Status.pm, LXC/Create.pm (restore_configuration, sanitize_and_merge_config),
// LXC/Config.pm (write_pct_config, parse_lxc_network, classify_mountpoint);
// pve-access-control RPCEnvironment.pm (pool-derived privileges) and AccessControl.pm
// (remove_vm_access).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>

#include "tests/pvesim/world.hpp"

namespace pvesim {
namespace {

using Config = std::vector<std::pair<std::string, std::string>>;

void put(Config& c, const std::string& key, const std::string& value) {
  for (auto& [k, v] : c) {
    if (k == key) {
      v = value;
      return;
    }
  }
  c.emplace_back(key, value);
}

const std::string* find(const Config& c, const std::string& key) {
  for (const auto& [k, v] : c) {
    if (k == key) return &v;
  }
  return nullptr;
}

// A MAC from the simulator's prefix BC:24:11 (the Proxmox OUI), deterministic per call.
std::string mac(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "BC:24:11:%02X:%02X:%02X", static_cast<unsigned>((n >> 16) & 0xFF),
                static_cast<unsigned>((n >> 8) & 0xFF), static_cast<unsigned>(n & 0xFF));
  return buf;
}

// pve-common ParseUtils.pm encode_text: control and high-bit characters, ':' and '%'.
std::string encode_text(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7e || c == ':' || c == '%') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string with_new_mac(const std::string& net, std::uint64_t n) {
  // parse_lxc_network: a random hwaddr when the entry has none; sanitize (unique): always.
  static const std::regex hw(R"((^|,)hwaddr=[^,]*)");
  std::string stripped = std::regex_replace(net, hw, "");
  if (!stripped.empty() && stripped.front() == ',') stripped.erase(0, 1);
  return stripped + (stripped.empty() ? "" : ",") + "hwaddr=" + mac(n);
}

bool is_create_param(const std::string& k) {
  static const std::set<std::string> create_only{
      "vmid",      "ostemplate",           "restore",  "storage",         "force",   "unique",
      "pool",      "ignore-unpack-errors", "password", "ssh-public-keys", "bwlimit", "start",
      "ha-managed"};
  return create_only.count(k) != 0;
}

bool indexed_key(const std::string& k, const char* prefix) {
  static const std::regex mp(R"(^mp\d+$)");
  static const std::regex unused(R"(^unused\d+$)");
  static const std::regex net(R"(^net\d+$)");
  const std::string p = prefix;
  if (p == "mp") return std::regex_match(k, mp);
  if (p == "unused") return std::regex_match(k, unused);
  return std::regex_match(k, net);
}

// "a=1,b=2" default key `volume` -> value of `key`.
std::string prop(const std::string& value, const std::string& key) {
  std::size_t start = 0;
  bool first = true;
  while (start <= value.size()) {
    std::size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    const std::string part = value.substr(start, end - start);
    const auto eq = part.find('=');
    if (eq == std::string::npos) {
      if (first && key == "volume") return part;
    } else if (part.substr(0, eq) == key) {
      return part.substr(eq + 1);
    }
    first = false;
    start = end + 1;
  }
  return {};
}

}  // namespace

Config World::guest_config(const Guest& g) const {
  Config c{{"arch", "amd64"},
           {"cores", "2"},
           {"hostname", g.name},
           {"memory", "2048"},
           {"net0", "name=eth0,bridge=vmbr0,hwaddr=" + mac(static_cast<std::uint64_t>(g.vmid)) +
                        ",ip=dhcp,type=veth"},
           {"ostype", "debian"},
           {"rootfs", "local-lvm:vm-" + std::to_string(g.vmid) + "-disk-0,size=8G"},
           {"swap", "512"},
           {"unprivileged", "1"}};
  if (creating.count(g.vmid)) c.clear();  // create_and_lock_config: only the lock so far
  for (const auto& [k, v] : g.config) put(c, k, v);
  if (const auto l = locks.find(g.vmid); l != locks.end() && !l->second.empty()) {
    put(c, "lock", l->second);
  }
  return c;
}

std::string World::guest_config_text(const Guest& g) const {
  // write_pct_config: the description as '#' comment lines on top, keys sorted, raw lxc.*
  // keys after; vzdump's assemble drops lock, snapshots, parent and pending.
  Config c = guest_config(g);
  std::string out;
  if (const auto* d = find(c, "description")) {
    std::size_t start = 0;
    while (start < d->size()) {
      std::size_t end = d->find('\n', start);
      if (end == std::string::npos) end = d->size();
      out += "#" + encode_text(d->substr(start, end - start)) + "\n";
      start = end + 1;
    }
  }
  std::sort(c.begin(), c.end());
  std::string raw;
  for (const auto& [k, v] : c) {
    if (k == "description" || k == "lock") continue;
    if (k.rfind("lxc.", 0) == 0) {
      raw += k + ": " + v + "\n";
    } else {
      out += k + ": " + v + "\n";
    }
  }
  return out + raw;
}

bool World::allowed(const Token& token, const std::string& path,
                    const std::string& privilege) const {
  if (token.privileges.count(privilege)) return true;
  auto covers = [&](const std::string& acl_path) {
    return acl_path == "/" || path == acl_path || path.rfind(acl_path + "/", 0) == 0;
  };
  for (const auto& [acl_path, privs] : token.acl) {
    if (privs.count(privilege) && covers(acl_path)) return true;
  }
  static const std::regex vm_path(R"(^/vms/(\d+)$)");
  std::smatch m;
  if (std::regex_match(path, m, vm_path)) {
    const auto g = guests.find(std::stoll(m[1].str()));
    if (g != guests.end() && !g->second.pool.empty()) {
      const std::string pool = "/pool/" + g->second.pool;
      for (const auto& [acl_path, privs] : token.acl) {
        if (privs.count(privilege) && (acl_path == pool || acl_path == "/pool")) return true;
      }
    }
  }
  return false;
}

TaskRecord& World::start_guest_task(const std::string& node, const std::string& type,
                                    const std::string& user, GuestJob job) {
  TaskRecord task;
  task.guest_job = std::move(job);
  make_upid(node, type, std::to_string(task.guest_job.vmid), user, task);
  task.state = TaskRecord::State::running;
  task.begin = task.starttime;
  task.end = task.starttime + static_cast<std::int64_t>(std::ceil(options.task_seconds));
  tasks.push_back(std::move(task));
  if (tasks.size() > 2000) tasks.pop_front();
  return tasks.back();
}

void World::finish_guest_task(TaskRecord& task) {
  GuestJob& job = task.guest_job;
  const std::int64_t vmid = job.vmid;
  const std::string id = std::to_string(vmid);
  auto fail = [&](const std::string& why) {
    task.log.push_back(why);
    end_task(task, why, task.end);
  };

  if (task.type == "vzstart") {
    if (!guests.count(vmid))
      return fail("Configuration file 'nodes/" + task.node + "/lxc/" + id +
                  ".conf' does not exist");
    if (const auto l = locks.find(vmid); l != locks.end() && !l->second.empty()) {
      return fail("CT is locked (" + l->second + ")");
    }
    guests[vmid].running = true;
    end_task(task, "OK", task.end);
    return;
  }
  if (task.type == "vzstop") {
    if (guests.count(vmid)) guests[vmid].running = false;
    end_task(task, "OK", task.end);
    return;
  }
  if (task.type == "vzdestroy") {
    guests.erase(vmid);
    locks.erase(vmid);
    creating.erase(vmid);
    for (auto& token : options.tokens) token.acl.erase("/vms/" + id);  // remove_vm_access
    if (job.params.count("purge") && job.params.at("purge") == "1") {
      task.log.push_back("purging CT " + id + " from related configurations..");
    }
    end_task(task, "OK", task.end);
    return;
  }
  if (task.type != "vzrestore") {
    end_task(task, "OK", task.end);
    return;
  }

  // vzrestore: LXC.pm create_vm's worker.
  const std::string emsg = "unable to restore CT " + id + " - ";
  auto abort = [&](const std::string& why) {
    guests.erase(vmid);  // destroy_config_on_error
    locks.erase(vmid);
    creating.erase(vmid);
    fail(emsg + why);
  };
  task.log.push_back("recovering backed-up configuration from '" + job.archive + "'");
  Config old;
  std::string description;
  {
    std::size_t start = 0;
    const std::string& text = job.archived_config;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const std::string line = text.substr(start, end - start);
      start = end + 1;
      if (line.empty()) continue;
      if (line[0] == '[') break;
      if (line[0] == '#') continue;  // the description: the request's or none
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      old.emplace_back(line.substr(0, colon), value);
    }
  }
  const std::string storage =
      job.params.count("storage") ? job.params.at("storage") : std::string("local");
  const bool unique = job.params.count("unique") && job.params.at("unique") == "1";
  const bool unprivileged = [&] {
    const auto* u = find(old, "unprivileged");
    return u != nullptr && *u == "1";
  }();
  if (!unprivileged && !job.may_privileged) {
    return abort("Permission check failed (/, Sys.Modify)");
  }
  // storage_only_mode (no rootfs/mpN given): rootfs and volume mount points get new volumes
  // on `storage`; bind and device mount points only for root@pam.
  Config conf;
  int disk = 0;
  for (const auto& [k, v] : old) {
    if (k != "rootfs" && !indexed_key(k, "mp")) continue;
    const std::string volume = prop(v, "volume");
    if (!volume.empty() && volume.front() == '/') {
      const std::string type = volume.rfind("/dev/", 0) == 0 ? "device" : "bind";
      if (k == "rootfs") {
        return abort("restoring rootfs to " + type +
                     " mount is only possible by specifying -rootfs manually!");
      }
      return abort("restoring '" + k + "' to " + type + " mount is only possible for root");
    }
    std::string rest = v.substr(std::min(v.size(), volume.size()));
    put(conf, k, storage + ":vm-" + id + "-disk-" + std::to_string(disk++) + rest);
  }
  task.log.push_back("restoring '" + job.archive + "' now..");
  task.log.push_back("Total bytes read: " + std::to_string(options.archive_bytes));
  task.log.push_back("merging backed-up and given configuration..");
  // update_pct_config: the given keys, netN with a new MAC when it has none.
  std::uint64_t mac_seq = static_cast<std::uint64_t>(vmid) * 1000 + 1;
  for (const auto& [k, v] : job.params) {
    if (is_create_param(k)) continue;
    if (k == "description") {
      description = v;
      continue;
    }
    if (indexed_key(k, "net")) {
      put(conf, k, prop(v, "hwaddr").empty() ? with_new_mac(v, mac_seq++) : v);
      continue;
    }
    put(conf, k, v);
  }
  // sanitize_and_merge_config
  bool skipped_lxc = false;
  for (const auto& [k, v] : old) {
    if (k == "digest" || k == "rootfs" || k == "unprivileged" || k == "parent" || k == "template" ||
        indexed_key(k, "mp") || indexed_key(k, "unused")) {
      continue;
    }
    if (k.rfind("lxc.", 0) == 0) {  // restricted (not root@pam): raw keys are not restored
      skipped_lxc = true;
      continue;
    }
    if (unique && indexed_key(k, "net")) {
      put(conf, k, with_new_mac(v, mac_seq++));  // replaces a given netN: link_down is lost
      continue;
    }
    if (!find(conf, k)) put(conf, k, v);
  }
  if (skipped_lxc)
    task.log.push_back("WARN: skipping custom lxc options, restore manually as root:");
  put(conf, "unprivileged", unprivileged ? "1" : "0");
  if (!find(conf, "hostname")) put(conf, "hostname", "CT" + id);
  if (!find(conf, "memory")) put(conf, "memory", "512");
  if (!find(conf, "swap")) put(conf, "swap", "512");
  if (!description.empty()) put(conf, "description", description);

  Guest& g = guests[vmid];
  g.vmid = vmid;
  g.node = task.node;
  g.type = "lxc";
  g.running = false;
  g.name = *find(conf, "hostname");
  g.config = conf;
  g.pool = job.params.count("pool") ? job.params.at("pool") : "";
  creating.erase(vmid);
  locks.erase(vmid);
  if (job.params.count("start") && job.params.at("start") == "1") g.running = true;
  end_task(task, skipped_lxc ? "WARNINGS: 1" : "OK", task.end);
}

}  // namespace pvesim
