// POST /nodes/{node}/vzdump: synchronous checks, then a task (pve-api.md §3, §11).
#include <cstdio>
#include <regex>

#include "tests/pvesim/api_common.hpp"
#include "tests/pvesim/notes_template.hpp"

namespace pvesim {
namespace {

// "7.1-12" / "9.2.11" -> at least major.minor?
bool release_at_least(const std::string& version, int major, int minor) {
  int ma = 0;
  int mi = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &ma, &mi) < 1) return true;
  return ma > major || (ma == major && mi >= minor);
}

}  // namespace

ApiResponse handle_vzdump(Call& call, const std::string& node) {
  World& w = call.world;
  if (auto bad = reject_unknown(call, {"vmid",
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
                                       "node",
                                       "maxfiles"})) {
    return *bad;
  }
  json errors = json::object();
  // notes-template and protected arrived with PVE 7.2 (pve-api.md §3.7): older schemas reject
  // them like any unknown parameter, before a task starts.
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
  const bool protect = bool_param(call, "protected", bad).value_or(false);
  const bool remove = bool_param(call, "remove", bad).value_or(true);
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
  const std::string mode = call.param("mode", "snapshot");
  if (mode != "snapshot" && mode != "suspend" && mode != "stop") {
    errors["mode"] = "value '" + mode +
                     "' does not have a value in the enumeration 'snapshot, "
                     "suspend, stop'";
  }
  const std::string compress = call.param("compress", "0");
  if (compress != "0" && compress != "1" && compress != "gzip" && compress != "lzo" &&
      compress != "zstd") {
    errors["compress"] =
        "value '" + compress + "' does not have a value in the enumeration '0, 1, gzip, lzo, zstd'";
  }
  const bool has_storage = call.has_param("storage");
  if (call.has_param("notes-template")) {
    if (!has_storage) errors["storage"] = "missing property required by 'notes-template'";
    if (const auto e = notes_template_error(call.param("notes-template"))) {
      errors["notes-template"] = *e + "\n";
    }
  }
  if (protect && !has_storage) errors["storage"] = "missing property required by 'protected'";
  if (call.has_param("prune-backups")) {
    if (const auto p = parse_prune_options(call.param("prune-backups")); !p) {
      errors["prune-backups"] = p.error();
    }
  }
  std::int64_t lockwait = 180;
  if (call.has_param("lockwait")) {
    const std::string v = call.param("lockwait");
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) {
      errors["lockwait"] = "type check ('integer') failed - got '" + v + "'";
    } else {
      lockwait = std::stoll(v);
    }
  }
  if (!errors.empty()) return param_error(w, errors);

  const std::string storage = call.param("storage", "local");
  for (const char* sys : {"bwlimit", "ionice", "performance"}) {
    if (call.has_param(sys) && !call.has("Sys.Modify")) return perm_error(w, "/", "Sys.Modify");
  }
  if (call.has_param("prune-backups") && !call.has("Datastore.Allocate")) {
    return perm_error(w, "/storage/" + storage, "Datastore.Allocate");
  }
  if (!call.has("Datastore.AllocateSpace")) {
    return perm_error(w, "/storage/" + storage, "Datastore.AllocateSpace");
  }
  if (stop) {
    if (!call.has("Sys.Modify")) return perm_error(w, "/nodes/" + node, "Sys.Modify");
    for (auto& t : w.tasks) {
      if (t.node == node && t.type == "vzdump") w.stop_task(t);
    }
    w.tick();
    return ok("OK");
  }
  if (!w.has_storage(storage)) return error(w, 500, "storage '" + storage + "' does not exist");
  if (all || !call.has_param("vmid")) {
    return error(w, 500, "pvesim: only single-guest vzdump (vmid=<id>) is simulated");
  }
  const std::int64_t vmid = std::stoll(vmid_text);
  const auto guest = w.guests.find(vmid);
  if (guest != w.guests.end() && guest->second.node != node) return ok("OK");  // silent exit

  VzdumpJob job;
  job.vmid = vmid;
  job.storage = storage;
  job.mode = mode;
  job.compress = compress;
  if (call.has_param("notes-template")) job.notes_template = call.param("notes-template");
  job.protect = protect;
  job.remove = remove;
  if (call.has_param("prune-backups")) job.prune_param = call.param("prune-backups");
  job.lockwait_minutes = lockwait;
  job.may_backup = call.has("VM.Backup");
  job.may_allocate = call.has("Datastore.Allocate");
  job.command_line = "vzdump " + vmid_text + " --mode " + mode + " --storage " + storage;
  if (compress != "0") job.command_line += " --compress " + compress;
  if (call.has_param("remove"))
    job.command_line += std::string(" --remove ") + (remove ? "1" : "0");
  if (call.has_param("notes-template")) {
    job.command_line += " --notes-template '" + call.param("notes-template") + "'";
  }
  if (protect) job.command_line += " --protected 1";
  return ok(w.start_vzdump(node, call.token.token_id, std::move(job)));
}

}  // namespace pvesim
