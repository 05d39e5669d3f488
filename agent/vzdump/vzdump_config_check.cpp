#include "agent/vzdump/vzdump_config_check.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "agent/config/scalar_position.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/vzdump/api_errors.hpp"
#include "agent/vzdump/conflict_check.hpp"
#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/owner_tag.hpp"
#include "proxmox/notes_template.hpp"
#include "proxmox/storage.hpp"
#include "proxmox/vzdump_options.hpp"

namespace agent {
namespace {

constexpr std::size_t k_run_id_chars = 16;  // "20251207T010002Z" (agent/run/run_id.hpp)

std::string shown(std::string_view text) { return escape_control_chars(text, Tabs::escape); }

ConfigDiagnostic at(const LoadedConfig& loaded, const std::string& key, std::string message) {
  ConfigDiagnostic d{loaded.config.source_file, 0, 0, key, std::move(message)};
  if (const auto it = loaded.positions.find(key); it != loaded.positions.end()) {
    d.line = it->second.line;
    d.column = it->second.column;
  }
  return d;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void check_notes(const LoadedConfig& loaded, const std::string& text, std::size_t i,
                 ConfigFindings& findings) {
  const TargetConfig& t = loaded.config.targets[i];
  const std::string key = "targets[" + std::to_string(i) + "].vzdump.notes";
  const std::string tag =
      owner_tag_text(std::string(12, '0'), t.name, std::string(k_run_id_chars, '0'));
  for (const auto& p :
       proxmox::check_notes_template(t.vzdump->notes, notes_template_prefix_chars(tag))) {
    ConfigDiagnostic d = at(loaded, key, "notes template: " + p.message);
    const auto it = loaded.positions.find(key);
    if (it != loaded.positions.end() && p.column > 0) {
      if (auto pos = scalar_char_position(text, it->second, p.column - 1)) {
        d.line = pos->line;
        d.column = pos->column;
      } else {
        d.message += " (at character " + std::to_string(p.column) + " of the template)";
      }
    }
    if (p.kind == proxmox::NotesTemplateProblem::Kind::invalid_utf8) {
      findings.warnings.push_back(std::move(d));  // stored as U+FFFD, not refused
    } else {
      findings.errors.push_back(std::move(d));  // a 400 and no backup, every night
    }
  }
}

void check_options(const LoadedConfig& loaded, std::size_t i, ConfigFindings& findings) {
  const VzdumpConfig& vz = *loaded.config.targets[i].vzdump;
  const std::string p = "targets[" + std::to_string(i) + "].vzdump.";
  if (vz.mailto) {
    if (auto e = proxmox::vzdump_option_error("mailto", *vz.mailto)) {
      findings.errors.push_back(at(loaded, p + "mailto", "Proxmox refuses it: " + *e));
    } else if (vz.notification_mode == "notification-system") {
      findings.warnings.push_back(at(loaded, p + "mailto",
                                     "has no effect with notification_mode notification-system "
                                     "(Proxmox's notification matchers decide who is told)"));
    }
  }
}

}  // namespace

ConfigCheck vzdump_config_check() {
  return [](const LoadedConfig& loaded, ConfigFindings& findings) {
    const std::string text = file_text(loaded.config.source_file);
    for (std::size_t i = 0; i < loaded.config.targets.size(); ++i) {
      if (!loaded.config.targets[i].vzdump) continue;
      check_notes(loaded, text, i, findings);
      check_options(loaded, i, findings);
    }
  };
}

namespace {

// The privileges a vzdump restore drill needs (operator guide 6.3, the SmokerbakDrill role):
// on the pool it is granted on (or the scratch guest itself) and on its disks' storage.
constexpr const char* k_drill_guest_privileges[] = {"VM.Allocate",       "VM.Audit",
                                                    "VM.Config.Disk",    "VM.Config.Network",
                                                    "VM.Config.Options", "VM.PowerMgmt"};

// `--api`: without the drill's privileges the drill cannot run; say so now, with what is
// missing and where, rather than at the first drill (a warning: the backups do not need them).
void check_drill_privileges(proxmox::Client& api, const LoadedConfig& loaded, const TargetConfig& t,
                            const std::string& p, ConfigFindings& findings) {
  const DrillVzdumpConfig& drill = *t.drill->vzdump;
  const std::string guest_path =
      drill.pool.empty() ? "/vms/" + std::to_string(drill.vmid) : "/pool/" + drill.pool;
  const std::string storage_path = "/storage/" + drill.storage;
  const std::string key = p + "drill.vzdump." + (drill.pool.empty() ? "vmid" : "pool");
  std::vector<std::string> missing;
  for (const auto& [path, wanted] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {guest_path, {std::begin(k_drill_guest_privileges), std::end(k_drill_guest_privileges)}},
           {storage_path, {"Datastore.AllocateSpace"}}}) {
    auto held = api.permissions(path);
    if (!held) {
      findings.warnings.push_back(
          at(loaded, key,
             "--api: cannot read the token's privileges on " + path +
                 " to check the vzdump drill: " + shown(held.error().message)));
      return;
    }
    for (const auto& w : wanted) {
      if (std::find(held->begin(), held->end(), w) == held->end())
        missing.push_back(w + " on " + path);
    }
  }
  if (missing.empty()) return;
  std::string list;
  for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
  findings.warnings.push_back(at(
      loaded, key,
      "--api: the vzdump drill is not possible: the token lacks " + list +
          ". Grant the drill role on the pool and Datastore.AllocateSpace on the storage "
          "(operator guide 6.3; a grant on /vms/<vmid> is lost when the drill destroys the copy)"));
}

}  // namespace

ConfigCheck vzdump_api_check(ClientMaker make_client) {
  return [make_client = std::move(make_client)](const LoadedConfig& loaded,
                                                ConfigFindings& findings) {
    bool any = false;
    for (const auto& t : loaded.config.targets) any = any || t.vzdump.has_value();
    if (!any) return;
    auto client = make_client(loaded.config);
    if (!client) {
      findings.errors.push_back(
          at(loaded, "proxmox.api_url",
             "--api: cannot use the Proxmox API: " + shown(tier_error_of(client.error()).message)));
      return;
    }
    proxmox::Client& api = **client;
    for (std::size_t i = 0; i < loaded.config.targets.size(); ++i) {
      const TargetConfig& t = loaded.config.targets[i];
      if (!t.vzdump) continue;
      const std::string p = "targets[" + std::to_string(i) + "].";
      const std::string storage = t.vzdump->storage;
      const std::string ct = "CT " + std::to_string(t.vmid);
      if (t.drill && t.drill->vzdump) check_drill_privileges(api, loaded, t, p, findings);
      auto guest = api.locate_guest(t.vmid);
      if (!guest) {
        findings.errors.push_back(
            at(loaded, p + "vmid", "--api: " + shown(tier_error_of(guest.error()).message)));
        continue;
      }
      auto status = api.node_storage(guest->node, storage);
      if (!status) {
        findings.errors.push_back(at(loaded, p + "vzdump.storage",
                                     "--api: storage '" + storage + "' on node " + guest->node +
                                         " (where " + ct +
                                         " runs): " + shown(status.error().message)));
        continue;
      }
      if (!status->has_content("backup")) {
        findings.errors.push_back(at(loaded, p + "vzdump.storage",
                                     "--api: storage '" + storage +
                                         "' does not hold backups "
                                         "(content: " +
                                         shown(status->content) + ")"));
      }
      switch (status->kind()) {
        case proxmox::StorageKind::file:
          if (!status->shared && guest->node != loaded.config.proxmox.node) {
            findings.warnings.push_back(at(
                loaded, p + "vzdump.storage",
                "--api: " + ct + " runs on node " + guest->node + " and storage '" + storage +
                    "' is local to each node, so this agent (node " + loaded.config.proxmox.node +
                    ") cannot read its archives: they will be \"not verifiable here\""));
          }
          if (t.vzdump->pbs_change_detection_mode) {
            findings.warnings.push_back(at(
                loaded, p + "vzdump.pbs_change_detection_mode",
                "--api: has no effect: storage '" + storage + "' is not a Proxmox Backup Server"));
          }
          break;
        case proxmox::StorageKind::pbs:
          break;  // verified by PBS's verify jobs; the notes say so
        case proxmox::StorageKind::external:
          findings.warnings.push_back(
              at(loaded, p + "vzdump.storage",
                 "--api: storage '" + storage + "' is of type " + shown(status->type) +
                     " (a backup provider or plugin): its archives are \"not verifiable here\" and "
                     "the agent never deletes them (only Proxmox's standard vzdump names and PBS "
                     "snapshots are pruned)"));
          break;
      }
      auto defaults = api.vzdump_defaults(guest->node, storage);
      std::string retention;
      std::string source = "vzdump/defaults";
      if (defaults && *defaults) {
        retention = (*defaults)->prune_backups;
      } else if (defaults) {
        source = "the storage configuration (this node has no vzdump/defaults)";
        if (auto cfg = api.storage_config(storage)) retention = cfg->prune_backups;
      } else {
        findings.warnings.push_back(at(loaded, p + "vzdump.storage",
                                       "--api: cannot read what vzdump applies on '" + storage +
                                           "': " + shown(defaults.error().message)));
        continue;
      }
      if (backup_limit_of(retention) > 0) {
        findings.warnings.push_back(
            at(loaded, p + "vzdump.storage",
               "--api: vzdump applies prune-backups " + shown(retention) + " on storage '" +
                   storage + "' (" + source +
                   "): the agent backs up with remove=0, so vzdump refuses once that many backups "
                   "exist, and Proxmox jobs prune the agent's archives by it. Set `pvesm set " +
                   storage +
                   " --prune-backups keep-all=1` (and no prune-backups in "
                   "/etc/vzdump.conf) and let the agent prune."));
      }
    }
  };
}

}  // namespace agent
