#include "agent/drill/vzdump_drill.hpp"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include "agent/core/human_format.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/drill/drill_notes.hpp"
#include "agent/vzdump/api_errors.hpp"
#include "agent/vzdump/backup_record.hpp"

namespace agent::drill {
namespace {

using Kind = TierError::Kind;

std::string shown(const std::string& remote) { return escape_control_chars(remote, Tabs::escape); }

bool has_tag(const std::string& tags, const std::string& tag) {
  std::size_t start = 0;
  while (start <= tags.size()) {
    const auto end = tags.find_first_of(";, ", start);
    const auto len = (end == std::string::npos ? tags.size() : end) - start;
    if (tags.compare(start, len, tag) == 0 && len == tag.size()) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

// Whether `config` is this agent's drill copy of `target`.
bool ours(const proxmox::LxcConfig& config, const std::string& target) {
  const std::string first = config.description.substr(0, config.description.find('\n'));
  return has_tag(config.tags(), k_drill_tag) && first == drill_guest_marker(target);
}

class VzdumpDrill {
 public:
  VzdumpDrill(const TargetConfig& target, proxmox::Client& api, const VzdumpDrillOptions& options)
      : m_target(target), m_config(*target.drill->vzdump), m_api(api), m_options(options) {}

  proxmox::WaitOptions wait(int timeout_s) const {
    proxmox::WaitOptions w;
    w.timeout = std::chrono::seconds(timeout_s);
    w.first_poll = m_options.first_poll;
    w.max_poll = m_options.max_poll;
    return w;
  }

  void sleep(std::chrono::milliseconds d) const {
    if (m_options.sleep) {
      m_options.sleep(d);
    } else {
      std::this_thread::sleep_for(d);
    }
  }

  // The node the drill restores on: drill.vzdump.node, else where the target's guest runs.
  tl::expected<std::string, TierError> node() {
    if (!m_config.node.empty()) return m_config.node;
    auto guest = m_api.locate_guest(m_target.vmid);
    if (!guest) return tl::unexpected(tier_error_of(guest.error()));
    return guest->node;
  }

  // A task started by `upid`, waited for.
  std::optional<TierError> finish(const std::string& node, const proxmox::Result<std::string>& upid,
                                  int timeout_s, const std::string& what) {
    if (!upid) {
      auto e = tier_error_of(upid.error());
      e.message = what + ": " + e.message;
      return e;
    }
    auto done = m_api.wait_task(node, *upid, wait(timeout_s));
    if (!done) {
      auto e = tier_error_of(done.error());
      e.message = what + ": " + e.message;
      return e;
    }
    return std::nullopt;
  }

  // What occupies the scratch vmid: nullopt when free; else whether it is our leftover (and
  // where), or a refusal.
  struct Occupant {
    std::string node;
    std::string status;
  };
  tl::expected<std::optional<Occupant>, TierError> scratch_occupant() {
    const std::int64_t vmid = m_config.vmid;
    auto in_use = m_api.vmid_in_use(vmid);
    if (!in_use) return tl::unexpected(tier_error_of(in_use.error()));
    if (!*in_use) return std::optional<Occupant>{};
    const std::string id = std::to_string(vmid);
    auto guest = m_api.locate_guest(vmid);
    if (!guest) {
      return tl::unexpected(TierError{
          Kind::refused, "the scratch vmid " + id +
                             " is in use by a guest this token cannot see: it is not this "
                             "agent's drill copy; pick a free vmid for drill.vzdump.vmid"});
    }
    if (guest->type != "lxc") {
      return tl::unexpected(TierError{Kind::refused, "the scratch vmid " + id + " is a " +
                                                         shown(guest->type) +
                                                         " guest, not this agent's drill copy; "
                                                         "pick a free vmid for drill.vzdump.vmid"});
    }
    auto config = m_api.lxc_config(guest->node, vmid);
    if (!config) return tl::unexpected(tier_error_of(config.error()));
    if (!ours(*config, m_target.name)) {
      return tl::unexpected(
          TierError{Kind::refused, "refusing to touch the scratch vmid " + id + " (\"" +
                                       shown(config->hostname()) + "\" on " + shown(guest->node) +
                                       "): it exists and is not a drill copy of " + m_target.name +
                                       " (no " + k_drill_tag +
                                       " tag and marker); pick a free vmid for drill.vzdump.vmid"});
    }
    return std::optional<Occupant>{Occupant{guest->node, guest->status}};
  }

  // Stops (when running) and destroys the scratch guest on `node`.
  std::optional<TierError> destroy(const std::string& node, bool running) {
    const std::int64_t vmid = m_config.vmid;
    if (running) {
      if (auto e = finish(node, m_api.stop_container(node, vmid), 600,
                          "stopping the scratch container " + std::to_string(vmid))) {
        return e;
      }
    }
    return finish(node, m_api.destroy_container(node, vmid, true, true), 900,
                  "destroying the scratch container " + std::to_string(vmid));
  }

  // Our leftover on the scratch vmid, destroyed. Sentences of what was done.
  tl::expected<std::vector<std::string>, TierError> clean_leftover() {
    auto occupant = scratch_occupant();
    if (!occupant) return tl::unexpected(occupant.error());
    std::vector<std::string> done;
    if (!*occupant) return done;
    const auto& o = **occupant;
    if (auto e = destroy(o.node, o.status == "running")) return tl::unexpected(*e);
    done.push_back("destroyed the scratch container " + std::to_string(m_config.vmid) + " on " +
                   shown(o.node) + " that an interrupted drill left");
    return done;
  }

  // The archive to restore: `backup` or the newest verified one still listed.
  struct Chosen {
    proxmox::BackupVolume volume;
    std::vector<std::string> warnings;
  };
  tl::expected<Chosen, TierError> choose(const std::filesystem::path& state_dir,
                                         const std::string& node, const std::string& backup) {
    const std::string& storage = m_target.vzdump->storage;
    auto listing = m_api.list_backups_checked(node, storage, m_target.vmid);
    if (!listing) return tl::unexpected(tier_error_of(listing.error()));
    auto listed = [&](const std::string& volid) -> const proxmox::BackupVolume* {
      for (const auto& v : listing->volumes) {
        if (v.volid == volid) return &v;
      }
      return nullptr;
    };
    Chosen c;
    if (!backup.empty()) {
      const auto* v = listed(backup);
      if (!v) {
        return tl::unexpected(TierError{Kind::refused, "no archive " + shown(backup) + " of CT " +
                                                           std::to_string(m_target.vmid) +
                                                           " on storage " + storage});
      }
      const auto rec = read_backup_record(state_dir, m_target.name, backup);
      if (rec && rec->verdict != ArchiveVerdict::verified) {
        return tl::unexpected(
            TierError{Kind::invalid, "archive " + shown(backup) + " did not verify (" +
                                         std::string(to_string(rec->verdict)) + ": " +
                                         rec->problem + "); not restoring it"});
      }
      if (!rec) c.warnings.push_back("archive " + shown(backup) + " was not verified by the agent");
      c.volume = *v;
      return c;
    }
    auto records = read_backup_records(state_dir, m_target.name);
    std::sort(records.begin(), records.end(),
              [](const BackupRecord& a, const BackupRecord& b) { return a.ctime > b.ctime; });
    for (const auto& r : records) {
      if (r.vmid != m_target.vmid || r.verdict != ArchiveVerdict::verified) continue;
      if (const auto* v = listed(r.volid)) {
        c.volume = *v;
        return c;
      }
    }
    return tl::unexpected(TierError{
        Kind::refused, "no verified vzdump archive of CT " + std::to_string(m_target.vmid) +
                           " on storage " + storage +
                           " to drill (the agent drills archives it made and verified): run a "
                           "backup first, or name one with --backup"});
  }

  const DrillVzdumpConfig& config() const { return m_config; }
  proxmox::Client& api() { return m_api; }

 private:
  const TargetConfig& m_target;
  const DrillVzdumpConfig& m_config;
  proxmox::Client& m_api;
  VzdumpDrillOptions m_options;
};

// A mount point of the archived config that a token cannot restore (bind, device).
std::optional<std::string> unrestorable(const proxmox::LxcConfig& archived) {
  for (const auto& m : archived.mounts) {
    if (m.type != proxmox::MountPoint::Type::volume) {
      return "the archive has a " + std::string(proxmox::to_string(m.type)) + " mount point " +
             shown(m.key) + " ('" + shown(m.mp) +
             "'): Proxmox lets only root@pam restore that, never an API token; drill this "
             "archive by hand, or move that data to a volume mount point";
    }
  }
  return std::nullopt;
}

}  // namespace

std::string drill_guest_marker(const std::string& target) {
  return "pve-smokerbak restore drill of " + target;
}

DrillOutcome run_vzdump_drill(const DrillContext& ctx, const TargetConfig& target,
                              proxmox::Client& api, const std::string& backup,
                              const VzdumpDrillOptions& options) {
  DrillOutcome out;
  DrillRecord& rec = out.record;
  rec = start_record(ctx, target, TierName::vzdump, "local");
  StepTimer timer(rec, ctx.steady);
  auto say = [&](const std::string& line) {
    if (ctx.progress) ctx.progress(line);
  };
  const DrillVzdumpConfig& dc = *target.drill->vzdump;
  const std::string vmid = std::to_string(dc.vmid);
  if (dc.vmid == target.vmid) {
    finish_record(rec, TierError{Kind::refused, "the scratch vmid is the target's own"});
    return out;
  }
  VzdumpDrill drill(target, api, options);

  // fetch: the node, the archive, its configuration.
  std::string node;
  proxmox::BackupVolume volume;
  proxmox::LxcConfig archived;
  std::optional<TierError> failure;
  say(target.name + "/vzdump: choosing the archive");
  timer.time("fetch", [&] {
    auto n = drill.node();
    if (!n) {
      failure = n.error();
      return;
    }
    node = *n;
    auto chosen = drill.choose(ctx.config.state_dir, node, backup);
    if (!chosen) {
      failure = chosen.error();
      return;
    }
    volume = chosen->volume;
    for (auto& w : chosen->warnings) rec.warnings.push_back(std::move(w));
    auto config = api.extract_config(node, volume.volid);
    if (!config) {
      failure = tier_error_of(config.error());
      return;
    }
    archived = std::move(*config);
    for (const auto& w : archived.warnings) rec.warnings.push_back("archived config: " + shown(w));
    if (auto why = unrestorable(archived)) failure = TierError{Kind::refused, *why};
  });
  rec.backup_id = volume.volid;
  rec.backup_at = volume.ctime;
  rec.bytes = volume.size;
  if (failure) {
    finish_record(rec, failure);
    return out;
  }

  proxmox::LxcRestoreRequest req;
  req.vmid = dc.vmid;
  req.archive = volume.volid;
  req.storage = dc.storage;
  if (!dc.pool.empty()) req.pool = dc.pool;
  req.unique = false;  // unique=1 would replace our link_down interfaces (drill_network_params)
  req.nets = proxmox::drill_network_params(archived);
  req.tags = k_drill_tag;
  req.description = drill_guest_marker(target.name) + "\ndrill " + ctx.drill_id + " of " +
                    volume.volid + "; destroyed when the drill ends";

  if (ctx.dry_run) {
    auto occupant = drill.scratch_occupant();
    out.plan.push_back("would restore " + shown(volume.volid) + " (" + human_bytes(volume.size) +
                       ") on " + shown(node) + " into CT " + vmid + " on storage " + dc.storage +
                       (dc.pool.empty() ? "" : " in pool " + dc.pool));
    if (!occupant) {
      out.plan.push_back("  refused: " + occupant.error().message);
    } else if (*occupant) {
      out.plan.push_back("  first destroy CT " + vmid + ", left by an interrupted drill");
    }
    for (const auto& [key, value] : req.nets) out.plan.push_back("  " + key + ": " + shown(value));
    out.plan.push_back("  then start it, wait until it runs (" + std::to_string(dc.boot_timeout_s) +
                       " s at most), " +
                       (dc.check ? "run `pct exec " + vmid + " -- " +
                                       command_text(dc.check->command) + "` until it exits 0 (" +
                                       std::to_string(dc.check->timeout_s) + " s at most), "
                                 : std::string()) +
                       "stop and destroy it; after success, add \"restored OK <date> in "
                       "<RTO>\" to the archive's notes");
    return out;
  }

  if (auto err = write_active_drill(ctx.config.state_dir, target.name, TierName::vzdump,
                                    {ctx.drill_id, static_cast<long>(::getpid()), ctx.started_at,
                                     "CT " + vmid + " on " + node})) {
    finish_record(rec, TierError{Kind::local_io, "cannot record the drill in progress: " + *err});
    return out;
  }

  bool created = false;
  say(target.name + "/vzdump: restoring " + shown(volume.volid) + " into CT " + vmid);
  timer.time("restore", [&] {
    auto cleaned = drill.clean_leftover();
    if (!cleaned) {
      failure = cleaned.error();
      return;
    }
    for (auto& s : *cleaned) rec.warnings.push_back(std::move(s));
    auto upid = api.restore_container(node, req);
    created = upid.has_value();
    failure = drill.finish(node, upid, dc.restore_timeout_s,
                           "restoring " + shown(volume.volid) + " into CT " + vmid);
    if (failure) return;
    // The copy must not be able to take the original's place on the network.
    auto copy = api.lxc_config(node, dc.vmid);
    if (!copy) {
      failure = tier_error_of(copy.error());
      return;
    }
    for (const auto& net : copy->nets) {
      if (!net.link_down()) {
        failure = TierError{Kind::refused, "the restored copy's " + shown(net.key) +
                                               " is not link_down; not starting it"};
        return;
      }
    }
    rec.verified.push_back("restored " + std::to_string(copy->mounts.size()) +
                           " mount point(s) into CT " + vmid + ", " +
                           std::to_string(copy->nets.size()) + " interface(s) all link_down");
  });

  bool running = false;
  if (!failure) {
    say(target.name + "/vzdump: starting CT " + vmid);
    timer.time("boot", [&] {
      failure = drill.finish(node, api.start_container(node, dc.vmid), dc.boot_timeout_s,
                             "starting CT " + vmid);
      if (failure) return;
      running = true;
      const auto deadline = ctx.steady() + std::chrono::seconds(dc.boot_timeout_s);
      for (;;) {
        auto status = api.guest_status(node, dc.vmid);
        if (!status) {
          failure = tier_error_of(status.error());
          return;
        }
        if (status->status == "running") break;
        if (ctx.steady() >= deadline) {
          failure = TierError{Kind::refused, "CT " + vmid + " did not reach running in " +
                                                 std::to_string(dc.boot_timeout_s) + " s (" +
                                                 shown(status->status) + ")"};
          return;
        }
        drill.sleep(options.boot_poll);
      }
      rec.verified.push_back("CT " + vmid + " started and runs");
    });
  }

  if (!failure && dc.check) {
    say(target.name + "/vzdump: checking CT " + vmid + " with `" + command_text(dc.check->command) +
        "`");
    timer.time("checks", [&] {
      const auto checked = check_container(*dc.check, dc.vmid, options.check);
      if (checked.error) {
        failure = checked.error;
      } else {
        rec.verified.push_back(checked.verified);
      }
    });
  }

  // Cleanup, also after a failure: only what this drill created.
  bool cleaned = true;
  if (created) {
    say(target.name + "/vzdump: stopping and destroying CT " + vmid);
    timer.time("cleanup", [&] {
      // A failed vzrestore removes what it created; then there is nothing to destroy.
      auto still = api.vmid_in_use(dc.vmid);
      if (still && !*still) return;
      if (auto e = drill.destroy(node, running)) {
        cleaned = false;
        rec.warnings.push_back(e->message + " (the next drill or run tries again)");
      }
    });
  }
  if (cleaned) clear_active_drill(ctx.config.state_dir, target.name, TierName::vzdump);
  finish_record(rec, failure);
  if (rec.ok) {
    if (auto warning = mark_restored(api, node, target.vzdump->storage, volume.volid,
                                     restored_part(ctx.started_at, rec.rto_s))) {
      rec.warnings.push_back(*warning);
    }
  }
  return out;
}

std::vector<std::string> clean_vzdump_leftovers(const TargetConfig& target, proxmox::Client& api,
                                                const VzdumpDrillOptions& options) {
  std::vector<std::string> actions;
  if (!target.vzdump || !target.drill || !target.drill->vzdump) return actions;
  VzdumpDrill drill(target, api, options);
  auto done = drill.clean_leftover();
  if (!done) {
    actions.push_back("cannot clean up the scratch container: " + done.error().message);
  } else if (done->empty()) {
    actions.push_back("no drill container of " + target.name + " was left");
  } else {
    actions = std::move(*done);
  }
  return actions;
}

}  // namespace agent::drill
