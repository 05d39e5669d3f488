// Storage endpoints: status, backup content listing, one volume's GET/PUT/DELETE and the
// prune dry run (docs/proxmox-api.md sections 6, 8).
#include <fstream>

#include "tests/pvesim/api_common.hpp"

namespace pvesim {
namespace {

// Volume access rule (docs/proxmox-api.md section 10, Storage.pm check_volume_access):
// Datastore.Allocate on the storage, or Datastore.AllocateSpace on it plus VM.Backup on the
// owner.
bool may_access_volume(const Call& call, const std::string& storage, std::int64_t owner) {
  const std::string sp = "/storage/" + storage;
  return call.may(sp, "Datastore.Allocate") ||
         (owner != 0 && call.may(sp, "Datastore.AllocateSpace") &&
          call.may("/vms/" + std::to_string(owner), "VM.Backup"));
}

std::optional<ApiResponse> volume_access_error(const Call& call, const std::string& storage,
                                               std::int64_t owner) {
  if (may_access_volume(call, storage, owner)) return std::nullopt;
  if (!call.may("/storage/" + storage, "Datastore.AllocateSpace")) {
    return perm_error(call.world, "/storage/" + storage, "Datastore.AllocateSpace");
  }
  return perm_error(call.world, "/vms/" + std::to_string(owner), "VM.Backup");
}

json list_item(const BackupFile& b) {
  json item{{"volid", b.volid}, {"content", "backup"}, {"format", b.format},
            {"size", b.size},   {"ctime", b.ctime},    {"subtype", b.subtype}};
  if (b.vmid != 0) item["vmid"] = b.vmid;
  // Files: the first line of the .notes file; PBS: the snapshot's comment (its first line).
  if (b.has_notes) item["notes"] = b.notes.substr(0, b.notes.find('\n'));
  if (b.is_protected) item["protected"] = 1;
  if (!b.verify_state.empty()) {
    item["verification"] = json{{"state", b.verify_state}, {"upid", b.verify_upid}};
  }
  if (!b.encrypted.empty()) item["encrypted"] = b.encrypted;
  return item;
}

// {"data":[...]} with the hostile raw entries spliced in as they are.
ApiResponse ok_list_with_raw(const json& list, const std::vector<std::string>& raw) {
  ApiResponse r = ok(list);
  if (raw.empty()) return r;
  std::string extra;
  for (const auto& e : raw) extra += "," + e;
  const std::size_t close = r.body.rfind(']');
  if (list.empty()) extra.erase(0, 1);
  r.body.insert(close, extra);
  return r;
}

ApiResponse list_content(Call& call, const std::string& storage) {
  World& w = call.world;
  if (auto bad = reject_unknown(call, {"content", "vmid"})) return *bad;
  if (!call.may("/storage/" + storage, "Datastore.Audit") &&
      !call.may("/storage/" + storage, "Datastore.AllocateSpace")) {
    return perm_error(w, "/storage/" + storage, "Datastore.Audit|Datastore.AllocateSpace");
  }
  const std::string vmid = call.param("vmid");
  if (!vmid.empty() && vmid.find_first_not_of("0123456789") != std::string::npos) {
    return param_error(w,
                       json{{"vmid", "invalid format - value does not look like a valid VM ID"}});
  }
  json list = json::array();
  const std::string content = call.param("content");
  if (!content.empty() && content != "backup") return ok(list);
  const bool files = w.storage_spec(storage)->kind == StorageSpec::Kind::dir;
  for (const auto& b : w.list_backups(storage)) {
    if (!vmid.empty()) {
      // Plugin.pm get_subdir_files: \S+-<vmid>-\S+ in the name; PBSPlugin: backup-id match.
      if (files ? b.filename.find("-" + vmid + "-") == std::string::npos ||
                      b.filename.find("-" + vmid + "-") == 0
                : std::to_string(b.vmid) != vmid) {
        continue;
      }
    }
    if (!may_access_volume(call, storage, b.vmid)) continue;  // silently dropped, like PVE
    json item = list_item(b);
    if (!vmid.empty()) item["vmid"] = std::stoll(vmid);
    list.push_back(item);
  }
  return ok_list_with_raw(list, w.hostile.listing_entries);
}

ApiResponse volume(Call& call, const std::string& node, const std::string& storage) {
  World& w = call.world;
  const auto& s = call.req.segments;
  std::string volume;
  for (std::size_t i = 5; i < s.size(); ++i) volume += (i > 5 ? "/" : "") + s[i];
  std::string volname = volume;
  if (const auto colon = volume.find(':'); colon != std::string::npos) {
    const std::string prefix = volume.substr(0, colon);
    if (prefix != storage) {
      return param_error(
          w, json{{"volume", "storage ID mismatch (" + prefix + " != " + storage + ")\n"}});
    }
    volname = volume.substr(colon + 1);
  }
  const bool is_backup = volname.rfind("backup/", 0) == 0;
  const auto found = is_backup ? w.find_volume(storage, volname) : std::nullopt;
  const std::string volid = storage + ":" + volname;
  const std::string& method = call.req.method;
  const std::int64_t owner = found ? found->vmid : 0;
  if (auto denied = volume_access_error(call, storage, owner)) return *denied;

  if (method == "DELETE") {
    if (auto bad = reject_unknown(call, {"delay"})) return *bad;
    if (!is_backup) return error(w, 500, "unable to parse volume name '" + volname + "'");
    TaskRecord& task = w.run_imgdel(node, storage, volname, call.token.token_id);
    if (!call.has_param("delay")) return ok(task.upid);
    if (task.exitstatus == "OK") return ok(nullptr);
    return error(w, 500, task.exitstatus);
  }
  if (!found) return error(w, 500, "volume '" + volid + "' does not exist");
  if (method == "GET") {
    if (auto bad = reject_unknown(call, {})) return *bad;
    json info{{"path", found->path_text},
              {"size", found->size},
              {"used", found->size},
              {"format", found->format}};
    if (found->is_file) {
      info["notes"] = found->notes;  // DirPlugin: "" when there are none
      info["protected"] = found->is_protected ? 1 : 0;
    } else {
      // PBSPlugin get_volume_attribute: notes only when set; protected is PBS's JSON boolean.
      if (found->has_notes) info["notes"] = found->notes;
      info["protected"] = found->is_protected;
    }
    return ok(info);
  }
  if (method == "PUT") {
    if (auto bad = reject_unknown(call, {"notes", "protected"})) return *bad;
    std::optional<ApiResponse> bad;
    const auto protect = bool_param(call, "protected", bad);
    if (bad) return *bad;
    if (call.has_param("notes")) w.set_notes(*found, call.param("notes"));
    if (protect) {
      const std::string err =
          w.set_protected(*found, *protect, call.may("/storage/" + storage, "Datastore.Allocate"));
      if (!err.empty()) return error(w, 500, err);
    }
    return ok(nullptr);
  }
  return not_implemented(w, call.req);
}

ApiResponse prune_dry_run(Call& call, const std::string& storage) {
  World& w = call.world;
  if (auto bad = reject_unknown(call, {"type", "vmid", "prune-backups"})) return *bad;
  if (!call.may("/storage/" + storage, "Datastore.Audit") &&
      !call.may("/storage/" + storage, "Datastore.AllocateSpace")) {
    return perm_error(w, "/storage/" + storage, "Datastore.Audit|Datastore.AllocateSpace");
  }
  const std::string text = call.has_param("prune-backups") ? call.param("prune-backups")
                                                           : w.storage_spec(storage)->prune_backups;
  if (text.empty()) {
    return error(w, 500, "no prune-backups options configured for storage '" + storage + "'");
  }
  const auto options = parse_prune_options(text);
  if (!options) return param_error(w, json{{"prune-backups", options.error()}});
  std::map<std::string, std::vector<PruneEntry>> groups;
  json list = json::array();
  for (const auto& b : w.list_backups(storage)) {
    if (call.has_param("vmid") && std::to_string(b.vmid) != call.param("vmid")) continue;
    if (call.has_param("type") && b.subtype != call.param("type")) continue;
    if (!b.standard) {
      // Plugin.pm prune_backups: the type from archive_info (lxc for a renamed vzdump-lxc-*).
      json item{{"volid", b.volid},
                {"ctime", b.ctime},
                {"mark", b.is_protected ? "protected" : "renamed"},
                {"type", b.subtype}};
      if (b.vmid != 0) item["vmid"] = b.vmid;
      list.push_back(item);
      continue;
    }
    groups[b.subtype + "/" + std::to_string(b.vmid)].push_back(
        {b.volid, b.ctime, b.is_protected, ""});
  }
  for (auto& [key, group] : groups) {
    mark_backup_group(group, *options, w.tz);
    const std::string type = key.substr(0, key.find('/'));
    const std::int64_t vmid = std::stoll(key.substr(key.find('/') + 1));
    for (const auto& e : group) {
      list.push_back({{"volid", e.volid},
                      {"ctime", e.ctime},
                      {"mark", e.mark},
                      {"type", type},
                      {"vmid", vmid}});
    }
  }
  return ok(list);
}

}  // namespace

ApiResponse handle_storage(Call& call, const std::string& node) {
  World& w = call.world;
  const auto& s = call.req.segments;
  const std::string& method = call.req.method;
  if (s.size() == 3) {
    if (method != "GET") return not_implemented(w, call.req);
    // Status.pm index: only storages with Datastore.Audit or Datastore.AllocateSpace.
    json list = json::array();
    for (const auto& [id, spec] : w.storages) {
      if (call.may("/storage/" + id, "Datastore.Audit") ||
          call.may("/storage/" + id, "Datastore.AllocateSpace")) {
        list.push_back(storage_status_json(w, id, node));
      }
    }
    return ok(list);
  }
  const std::string& storage = s[3];
  if (!w.has_storage(storage)) return error(w, 500, "storage '" + storage + "' does not exist");
  if (s.size() == 4 && method == "GET") {
    json index = json::array();
    for (const char* d : {"content", "prunebackups", "status"}) index.push_back({{"subdir", d}});
    return ok(index);
  }
  if (s.size() == 5 && s[4] == "status" && method == "GET") {
    if (!call.may("/storage/" + storage, "Datastore.Audit") &&
        !call.may("/storage/" + storage, "Datastore.AllocateSpace")) {
      return perm_error(w, "/storage/" + storage, "Datastore.Audit|Datastore.AllocateSpace");
    }
    json st = storage_status_json(w, storage, node);
    st.erase("storage");
    return ok(st);
  }
  if (s.size() == 5 && s[4] == "content" && method == "GET") return list_content(call, storage);
  if (s.size() >= 6 && s[4] == "content") return volume(call, node, storage);
  if (s.size() == 5 && s[4] == "prunebackups" && method == "GET") {
    return prune_dry_run(call, storage);
  }
  return not_implemented(w, call.req);
}

}  // namespace pvesim
