#include "agent/vzdump/vzdump_tier.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <set>

#include "agent/config/config_loader.hpp"
#include "agent/core/clock.hpp"
#include "agent/core/human_format.hpp"
#include "agent/core/progress.hpp"
#include "agent/core/local_time.hpp"
#include "agent/run/run_journal.hpp"
#include "agent/vzdump/archive_verifier.hpp"
#include "agent/vzdump/backup_record.hpp"
#include "agent/vzdump/conflict_cache.hpp"
#include "agent/vzdump/conflict_check.hpp"
#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/notes_sync.hpp"
#include "agent/vzdump/retention_plan.hpp"

namespace agent {
namespace {

TierOutcome failed(std::string error, std::vector<std::string> warnings = {}) {
  TierOutcome out;
  out.state = TierState::failed;
  out.error = std::move(error);
  out.warnings = std::move(warnings);
  return out;
}

TierOutcome skipped(std::string summary) {
  TierOutcome out;
  out.state = TierState::skipped;
  out.summary = std::move(summary);
  return out;
}

// The basename from "INFO: creating vzdump archive '/var/lib/vz/dump/vzdump-lxc-....tar.zst'".
std::string archive_name_from_log(const std::string& line) {
  const std::string marker = "creating vzdump archive '";
  const auto at = line.find(marker);
  if (at == std::string::npos) return {};
  const auto start = at + marker.size();
  const auto end = line.find('\'', start);
  if (end == std::string::npos) return {};
  const std::string path = line.substr(start, end - start);
  return path.substr(path.rfind('/') + 1);
}

std::string basename_of_volid(const std::string& volid) {
  return volid.substr(volid.rfind('/') + 1);
}

// Starts the vzdump. A server older than PVE 7.2 rejects notes-template in its parameter
// check (400, before any task starts), so repeating the POST without it cannot start a
// second backup; the notes are then written after the backup.
proxmox::Result<std::string> start_backup(proxmox::Client& api, const std::string& node,
                                          proxmox::VzdumpRequest& request, bool& notes_template_ok,
                                          std::vector<std::string>& warnings) {
  auto upid = api.start_vzdump(node, request);
  if (!upid && !request.notes_template.empty() && upid.error().http_status == 400 &&
      upid.error().message.find("notes-template: property is not defined in schema") !=
          std::string::npos) {
    warnings.push_back(
        "Proxmox VE on this node has no vzdump notes-template (needs 7.2); the agent sets the "
        "notes after the backup instead.");
    notes_template_ok = false;
    request.notes_template.clear();
    request.log_marker.clear();  // the run id was in the template only
    upid = api.start_vzdump(node, request);
  }
  return upid;
}

}  // namespace

proxmox::Result<std::unique_ptr<proxmox::Client>> make_api_client(const Config& config) {
  const auto& pc = config.proxmox;
  auto secret = read_secret(pc.token_secret);
  if (!secret) {
    return proxmox::make_error(proxmox::Error::Kind::auth,
                               "cannot read the API token secret: " + secret.error());
  }
  proxmox::TransportOptions options;
  options.base_url = pc.api_url;
  options.fingerprint = pc.fingerprint;
  if (!pc.fingerprint) options.ca_file = pc.ca_file;
  options.token_id = pc.token_id;
  options.token_secret = std::move(*secret);
  options.request_timeout = std::chrono::seconds(std::max(1, pc.timeout_s));
  options.connect_timeout =
      std::min<std::chrono::milliseconds>(std::chrono::seconds(10), options.request_timeout);
  auto transport = proxmox::make_curl_transport(std::move(options));
  if (!transport) return tl::unexpected(transport.error());
  proxmox::ClientOptions client_options;
  client_options.token_id = pc.token_id;
  // Task start times are compared with the agent's clock, which end-to-end tests set to the
  // simulator's time (PVE_SMOKERBAK_NOW).
  auto clock = std::make_shared<SystemClock>();
  client_options.epoch_now = [clock] {
    return static_cast<std::int64_t>(std::chrono::system_clock::to_time_t(clock->now()));
  };
  return std::make_unique<proxmox::Client>(std::move(*transport), std::move(client_options));
}

VzdumpTier::VzdumpTier(const Config& config, ClientFactory factory, VzdumpTierOptions options)
    : m_config(config), m_factory(std::move(factory)), m_options(options) {}

proxmox::ClientStats VzdumpTier::client_stats() const {
  return m_client ? m_client->stats() : proxmox::ClientStats{};
}

proxmox::Result<proxmox::Client*> VzdumpTier::client() {
  if (!m_client) {
    auto made = m_factory();
    if (!made) return tl::unexpected(made.error());
    m_client = std::move(*made);
  }
  return m_client.get();
}

proxmox::Result<std::string> VzdumpTier::node_of(const TargetConfig& target,
                                                 proxmox::ClusterGuest* out) {
  if (!out) {
    if (auto it = m_nodes.find(target.vmid); it != m_nodes.end()) return it->second;
  }
  auto guest = m_client->locate_guest(target.vmid);
  if (!guest) return tl::unexpected(guest.error());
  if (guest->type != "lxc") {
    return proxmox::make_error(proxmox::Error::Kind::not_found,
                               "guest " + std::to_string(target.vmid) + " is a " + guest->type +
                                   ", not a container (lxc); the vzdump tier backs up containers");
  }
  m_nodes[target.vmid] = guest->node;
  if (out) *out = *guest;
  return guest->node;
}

TierOutcome VzdumpTier::backup(const TargetConfig& target, const RunContext& ctx) {
  if (!target.vzdump) return skipped("no vzdump section for target " + target.name);
  const VzdumpConfig& vz = *target.vzdump;
  auto c = client();
  if (!c) return failed(c.error().message);
  proxmox::Client& api = **c;
  std::vector<std::string> warnings;

  // No GET /version: a server without notes-template (PVE < 7.2) says so by rejecting the
  // parameter when the backup is started (see start_backup), which costs nothing on new ones.
  bool notes_template_ok = true;

  proxmox::ClusterGuest guest;
  auto node = node_of(target, &guest);
  if (!node) return failed(node.error().message);
  if (!guest.lock.empty()) {
    return failed("CT " + std::to_string(target.vmid) + " on node " + *node + " is locked (" +
                  guest.lock +
                  "), so vzdump would fail. If no backup or other operation is "
                  "running, a crashed run left the lock: clear it with `pct unlock " +
                  std::to_string(target.vmid) + "` on " + *node + ".");
  }

  const std::int64_t now = std::chrono::system_clock::to_time_t(ctx.run_start);
  // A dry run is someone looking: always check.
  const bool conflict_checked =
      ctx.dry_run || !conflict_check_still_clean(m_config.state_dir, target.name, vz.storage, now);
  ConflictReport conflicts;
  if (conflict_checked) {
    conflicts = check_conflicts(api, *node, vz.storage, target.vmid);
    warnings.insert(warnings.end(), conflicts.warnings.begin(), conflicts.warnings.end());
    if (!ctx.dry_run)
      record_conflict_check(m_config.state_dir, target.name, vz.storage, now, conflicts);
  } else {
    spdlog::debug("[{}] conflict check skipped: clean within the last {} days", target.name,
                  k_conflict_recheck_s / 86400);
  }
  if (conflicts.storage_backup_limit > 0) {
    auto existing = api.list_backups(*node, vz.storage, target.vmid);
    if (existing) {
      const auto unprotected = std::count_if(existing->begin(), existing->end(),
                                             [](const auto& v) { return !v.is_protected; });
      if (unprotected >= conflicts.storage_backup_limit) {
        return failed("storage '" + vz.storage + "' allows " +
                          std::to_string(conflicts.storage_backup_limit) +
                          " backups per guest (its prune-backups) and CT " +
                          std::to_string(target.vmid) + " already has " +
                          std::to_string(unprotected) +
                          " unprotected ones, so vzdump with remove=0 would fail with \"max "
                          "backup limit\". Set `pvesm set " +
                          vz.storage + " --prune-backups keep-all=1` and let the agent prune.",
                      warnings);
      }
    }
  }

  proxmox::VzdumpRequest request;
  request.vmid = target.vmid;
  request.mode = vz.mode;
  request.storage = vz.storage;
  request.compress = vz.compress;
  request.remove = false;
  if (notes_template_ok) {
    request.notes_template = vzdump_notes_template(target.name, ctx.run_id, vz.notes);
    // vzdump logs its command line, template included: a lost answer finds this run's task.
    request.log_marker = std::string(k_owner_tag) + ctx.run_id;
  }
  if (ctx.dry_run) {
    TierOutcome out;
    out.state = warnings.empty() ? TierState::ok : TierState::warning;
    out.warnings = warnings;
    out.summary = "dry run: would start vzdump of CT " + std::to_string(target.vmid) + " on " +
                  *node + " (mode " + vz.mode + ", storage " + vz.storage + ", compress " +
                  vz.compress + ", remove=0)";
    return out;
  }

  auto upid = start_backup(api, *node, request, notes_template_ok, warnings);
  if (!upid && upid.error().kind == proxmox::Error::Kind::not_found) {
    // "OK": the guest moved between locating and starting; locate once more.
    m_nodes.erase(target.vmid);
    node = node_of(target, &guest);
    if (!node) return failed(node.error().message, warnings);
    upid = start_backup(api, *node, request, notes_template_ok, warnings);
  }
  if (!upid) return failed(upid.error().message, warnings);
  if (ctx.journal) ctx.journal->record(target.name, "vzdump", "task-started", *upid);
  spdlog::info("[{}] vzdump of CT {} started on {}: {}", target.name, target.vmid, *node, *upid);

  std::string archive_name;
  proxmox::WaitOptions wait;
  wait.timeout = m_options.backup_timeout;
  wait.first_poll = m_options.first_poll;
  wait.max_poll = m_options.max_poll;
  wait.on_log_line = [&](const std::string& line) {
    spdlog::info("[{}] vzdump: {}", target.name, line);
    if (auto name = archive_name_from_log(line); !name.empty()) archive_name = name;
  };
  auto task = api.wait_task(*node, *upid, wait);
  if (!task) {
    std::string error =
        "vzdump of CT " + std::to_string(target.vmid) + " failed: " + task.error().message;
    if (task.error().message.find("max backup limit") != std::string::npos) {
      forget_conflict_check(m_config.state_dir, target.name);  // the storage changed: recheck
      error +=
          "\nThe storage's prune-backups limits backups per guest and the agent runs "
          "vzdump with remove=0: set `pvesm set " +
          vz.storage + " --prune-backups keep-all=1` and let the agent prune.";
    }
    return failed(error, warnings);
  }
  if (task->warnings > 0) {
    warnings.push_back("the vzdump task ended with " + task->exitstatus +
                       " (see the task log in the Proxmox web UI)");
  }

  // Find the new archive: the name from the task log, else our ownership tag, else the newest
  // backup that started no earlier than the task.
  auto listing = api.list_backups(*node, vz.storage, target.vmid);
  if (!listing) return failed(listing.error().message, warnings);
  const proxmox::BackupVolume* made = nullptr;
  for (const auto& v : *listing) {
    if (!archive_name.empty() && basename_of_volid(v.volid) == archive_name) made = &v;
  }
  if (!made) {
    for (const auto& v : *listing) {
      if (owner_run_id(v.notes) == ctx.run_id) made = &v;
    }
  }
  if (!made && !notes_template_ok && !listing->empty()) made = &listing->back();
  if (!made) {
    return failed("vzdump finished (" + task->exitstatus + ") but no new archive of CT " +
                      std::to_string(target.vmid) + " is listed on storage '" + vz.storage + "'",
                  warnings);
  }
  const proxmox::BackupVolume volume = *made;

  // Archives this agent made and recorded but did not delete are gone: something else
  // deletes them (a Proxmox backup job's prune, the storage's prune-backups, a person).
  if (auto gone =
          vanished_records(m_config.state_dir, target.name, target.vmid, vz.storage, *listing);
      !gone.empty()) {
    std::string text = std::to_string(gone.size()) +
                       " archive(s) the agent made and did not delete are gone from storage '" +
                       vz.storage + "':";
    for (const auto& volid : gone) {
      text += " " + volid;
      remove_backup_record(m_config.state_dir, target.name, volid);
    }
    text +=
        ". Something else deletes the agent's backups (a Proxmox backup job or the storage's "
        "prune-backups, see the other warnings, or a person); their local records are dropped.";
    warnings.push_back(text);
    if (!conflict_checked) {
      auto recheck = check_conflicts(api, *node, vz.storage, target.vmid);
      warnings.insert(warnings.end(), recheck.warnings.begin(), recheck.warnings.end());
      record_conflict_check(m_config.state_dir, target.name, vz.storage, now, recheck);
    }
  }

  auto info = api.read_volume(*node, vz.storage, volume.volid);
  if (!info) return failed(info.error().message, warnings);
  ProgressOptions po;
  po.label = "vzdump: verify " + volume.volid;
  if (volume.size > 0) po.total = volume.size;
  ProgressReporter progress(std::move(po), monotonic_clock());
  const ArchiveCheck check =
      verify_archive(info->path, [&](std::uint64_t n) { progress.advance(n); });
  progress.finish(check.verdict == ArchiveVerdict::unreadable ? "stopped" : "read");

  BackupRecord record;
  record.target = target.name;
  record.vmid = target.vmid;
  record.node = *node;
  record.storage = vz.storage;
  record.volid = volume.volid;
  record.path = info->path;
  record.run_id = ctx.run_id;
  record.ctime = volume.ctime;
  record.size = volume.size;
  record.sha256 = check.sha256;
  record.verdict = to_string(check.verdict);
  record.problem = check.problem;
  record.compression = check.compression;
  record.tar_entries = check.tar_entries;
  record.tar_bytes = check.tar_bytes;
  record.checked_at = rfc3339_utc(std::chrono::system_clock::to_time_t(ctx.run_start));
  record.task_exitstatus = task->exitstatus;
  record.notes_rest = notes_template_ok ? rest_lines(info->notes) : std::string();
  if (auto written = write_backup_record(m_config.state_dir, record); !written) {
    warnings.push_back("could not record the backup for `status`: " + written.error());
  }

  const bool verified = check.verdict == ArchiveVerdict::verified;
  const std::string verify_state = verified ? "verified" : "verify FAILED";

  // Notes: every agent-owned archive says what it is and why it is kept.
  auto zone = ZoneCalendar::open(m_config.timezone);
  if (!zone) {
    warnings.push_back("notes not updated: " + zone.error());
  } else {
    auto verdicts = recorded_verdicts(m_config.state_dir, target.name, *listing);
    verdicts[volume.volid] = verified;
    const auto plan =
        plan_retention(*listing, target.effective_retention(m_config.retention), *zone,
                       vz.prune_foreign, {{volume.volid, ctx.run_id}}, verdicts);
    NotesSyncInput input;
    input.node = *node;
    input.storage = vz.storage;
    input.target = target.name;
    input.vmid = target.vmid;
    input.state_dir = m_config.state_dir;
    input.known_rest[volume.volid] = record.notes_rest;
    input.verify_state[volume.volid] = verify_state;
    if (!ctx.no_prune && verified) {
      // The prune that follows (only after a backup that did not fail) deletes these;
      // rewriting their notes first is wasted work.
      for (const auto& a : plan) {
        if (a.managed && a.decision.mark == policies::Mark::remove &&
            a.volume.volid != volume.volid) {
          input.skip.insert(a.volume.volid);
        }
      }
    }
    auto synced = sync_notes(api, input, plan, false);
    warnings.insert(warnings.end(), synced.warnings.begin(), synced.warnings.end());
    if (verified && !ctx.no_prune) {
      // The prune that follows (run calls it after a backup that did not fail) starts from
      // the storage's current state: the read-back listing, or this listing when nothing
      // was written. Listing a third time would show the same.
      if (synced.listing_after) {
        m_current_listing[target.name] = std::move(*synced.listing_after);
      } else if (synced.written == 0 && synced.warnings.empty()) {
        m_current_listing[target.name] = *listing;
      }
    }
  }

  TierOutcome out;
  out.backup_id = volume.volid;
  out.backup_bytes = volume.size;
  out.validation_ok = verified;
  out.warnings = warnings;
  if (!verified) {
    out.state = TierState::failed;
    out.error = "archive " + volume.volid + " failed verification: " + check.problem +
                ". It is kept as evidence, marked \"verify FAILED\" in its notes, and takes no "
                "retention slot (a newer failed archive supersedes it); check the storage and "
                "the task log, then run the backup again.";
    return out;
  }
  out.state = warnings.empty() ? TierState::ok : TierState::warning;
  out.summary = basename_of_volid(volume.volid) + " " + human_bytes(check.file_bytes) +
                " verified (" + std::to_string(check.tar_entries) + " tar entries, sha256 " +
                check.sha256.substr(0, 12) + ")";
  return out;
}

TierOutcome VzdumpTier::prune(const TargetConfig& target, const RunContext& ctx) {
  if (!target.vzdump) return skipped("no vzdump section for target " + target.name);
  if (ctx.no_prune) return skipped("pruning skipped (--no-prune)");
  const VzdumpConfig& vz = *target.vzdump;
  auto c = client();
  if (!c) return failed(c.error().message);
  proxmox::Client& api = **c;
  auto node = node_of(target, nullptr);
  if (!node) return failed(node.error().message);
  auto zone = ZoneCalendar::open(m_config.timezone);
  if (!zone) return failed("cannot prune: " + zone.error());
  proxmox::Result<std::vector<proxmox::BackupVolume>> listing;
  if (auto it = m_current_listing.find(target.name); it != m_current_listing.end()) {
    listing = std::move(it->second);
    m_current_listing.erase(it);
  } else {
    listing = api.list_backups(*node, vz.storage, target.vmid);
  }
  if (!listing) return failed(listing.error().message);
  const auto plan = plan_retention(*listing, target.effective_retention(m_config.retention), *zone,
                                   vz.prune_foreign, {},
                                   recorded_verdicts(m_config.state_dir, target.name, *listing));

  std::vector<std::string> warnings;
  std::vector<std::string> errors;
  std::set<std::string> deleted;
  int kept = 0;
  int to_remove = 0;
  std::uint64_t kept_bytes = 0;
  std::map<std::string, std::uint64_t> kept_per_rule;
  if (ctx.dry_run) {
    std::cout << "vzdump prune plan for " << target.name << " (CT " << target.vmid << ", storage "
              << vz.storage << "):\n";
  }
  for (const auto& a : plan) {
    if (!a.managed) {
      if (ctx.dry_run) {
        std::cout << "  keep    " << a.volume.volid << "  not made by the agent (prune_foreign "
                  << "is off)\n";
      }
      continue;
    }
    if (a.decision.mark != policies::Mark::remove) {
      ++kept;
      kept_bytes += a.volume.size;
      for (const auto rule : a.decision.rules)
        ++kept_per_rule[std::string(policies::to_string(rule))];
      if (ctx.dry_run)
        std::cout << "  keep    " << a.volume.volid << "  " << a.decision.reason << "\n";
      continue;
    }
    ++to_remove;
    if (ctx.dry_run) {
      std::cout << "  remove  " << a.volume.volid << "  " << a.decision.reason << "\n";
      continue;
    }
    proxmox::WaitOptions wait;
    wait.timeout = m_options.delete_timeout;
    wait.first_poll = m_options.first_poll;
    wait.max_poll = m_options.max_poll;
    auto removed = api.delete_volume(*node, vz.storage, a.volume.volid, wait);
    if (!removed) {
      ++kept;
      kept_bytes += a.volume.size;
      errors.push_back(removed.error().message);
      spdlog::warn("[{}] {}", target.name, removed.error().message);
      continue;
    }
    spdlog::info("[{}] AUDIT vzdump archive deleted: {} ({})", target.name, a.volume.volid,
                 a.decision.reason);
    deleted.insert(a.volume.volid);
    remove_backup_record(m_config.state_dir, target.name, a.volume.volid);
  }

  NotesSyncInput input;
  input.node = *node;
  input.storage = vz.storage;
  input.target = target.name;
  input.vmid = target.vmid;
  input.state_dir = m_config.state_dir;
  input.skip = deleted;
  auto synced = sync_notes(api, input, plan, ctx.dry_run);
  warnings.insert(warnings.end(), synced.warnings.begin(), synced.warnings.end());
  if (ctx.dry_run) {
    for (const auto& p : synced.planned) std::cout << "  notes   " << p << "\n";
  }

  TierOutcome out;
  out.warnings = warnings;
  out.kept_count = static_cast<std::uint64_t>(kept);
  out.kept_bytes = kept_bytes;
  out.kept_per_rule = kept_per_rule;
  out.removed_count = deleted.size();
  if (ctx.dry_run) {
    out.summary = "dry run: would keep " + std::to_string(kept) + " and remove " +
                  std::to_string(to_remove) + " agent-owned archives";
    out.state = warnings.empty() ? TierState::ok : TierState::warning;
    return out;
  }
  out.summary =
      "kept " + std::to_string(kept) + ", removed " + std::to_string(deleted.size()) + " archives";
  if (!errors.empty()) {
    out.state = TierState::failed;
    out.error = std::to_string(errors.size()) + " of " + std::to_string(to_remove) +
                " deletions failed (their notes say \"remove pending\"):";
    for (const auto& e : errors) out.error += "\n  " + e;
    return out;
  }
  out.state = warnings.empty() ? TierState::ok : TierState::warning;
  return out;
}

tl::expected<std::vector<BackupListing>, std::string> VzdumpTier::list(const TargetConfig& target,
                                                                       const RunContext& /*ctx*/) {
  std::vector<BackupListing> out;
  if (!target.vzdump) return out;
  const VzdumpConfig& vz = *target.vzdump;
  auto c = client();
  if (!c) return tl::unexpected(c.error().message);
  proxmox::Client& api = **c;
  auto node = node_of(target, nullptr);
  if (!node) return tl::unexpected(node.error().message);
  auto zone = ZoneCalendar::open(m_config.timezone);
  if (!zone) return tl::unexpected(zone.error());
  auto listing = api.list_backups(*node, vz.storage, target.vmid);
  if (!listing) return tl::unexpected(listing.error().message);
  const auto plan = plan_retention(*listing, target.effective_retention(m_config.retention), *zone,
                                   vz.prune_foreign, {},
                                   recorded_verdicts(m_config.state_dir, target.name, *listing));
  for (const auto& a : plan) {
    BackupListing l;
    l.id = a.volume.volid;
    l.ctime = a.volume.ctime;
    l.bytes = a.volume.size;
    l.run_id = a.run_id.value_or("");
    if (!a.managed) {
      l.mark = a.volume.is_protected ? "protected" : "foreign";
      l.reason = a.volume.is_protected ? "protected" : "not made by the agent";
    } else {
      l.mark = std::string(policies::to_string(a.decision.mark));
      l.reason = a.decision.reason;
    }
    if (auto rec = read_backup_record(m_config.state_dir, target.name, a.volume.volid)) {
      l.validation = rec->verdict == "verified" ? "ok" : "failed";
    } else if (a.failed_verification) {
      l.validation = "failed";  // from the notes: verified by an earlier installation
    }
    out.push_back(std::move(l));
  }
  std::sort(out.begin(), out.end(),
            [](const BackupListing& x, const BackupListing& y) { return x.ctime > y.ctime; });
  return out;
}

std::unique_ptr<Tier> make_vzdump_tier(const Config& config) {
  return std::make_unique<VzdumpTier>(config, [&config] { return make_api_client(config); });
}

}  // namespace agent
