#include "tests/pvesim/world.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/pvesim/archive_writer.hpp"
#include "tests/pvesim/notes_template.hpp"
#include "tests/pvesim/sim_util.hpp"
#include "tests/pvesim/vzdump_conf.hpp"

namespace pvesim {
namespace {

namespace fs = std::filesystem;
using util::basename_of;
using util::write_file;

std::string hex8(std::int64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%08llX", static_cast<unsigned long long>(v));
  return buf;
}

std::string archive_extension(const std::string& compress) {
  if (compress == "zstd") return ".tar.zst";
  if (compress == "gzip") return ".tar.gz";
  if (compress == "1" || compress == "lzo") return ".tar.lzo";
  return ".tar";
}

std::string human_size(std::uint64_t bytes) {
  char buf[32];
  if (bytes >= (1ULL << 30)) {
    std::snprintf(buf, sizeof buf, "%.2fGB", static_cast<double>(bytes) / (1ULL << 30));
  } else {
    std::snprintf(buf, sizeof buf, "%.2fMB", static_cast<double>(bytes) / (1ULL << 20));
  }
  return buf;
}

std::string duration(std::int64_t s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

}  // namespace

World::World(Options opts) : options(std::move(opts)) {
  if (options.tokens.empty()) options.tokens.push_back(default_token());
  for (const auto& g : options.guests) guests[g.vmid] = g;
  StorageSpec main;
  main.id = options.storage;
  main.prune_backups = options.prune_backups;
  main.max_protected_backups = options.max_protected_backups;
  storages[main.id] = main;
  for (auto spec : options.extra_storages) {
    if (spec.kind != StorageSpec::Kind::dir) spec.shared = true;  // Storage.pm @SHARED_STORAGE
    storages[spec.id] = spec;
  }
  vzdump_conf = parse_vzdump_conf(options.vzdump_conf, vzdump_conf_errors);
  m_anchor_real = std::chrono::steady_clock::now();
  m_anchor_sim = options.start_time != 0 ? options.start_time
                                         : std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count();
}

std::int64_t World::now() const {
  if (options.freeze_clock) return m_anchor_sim;
  const auto real = std::chrono::steady_clock::now() - m_anchor_real;
  return m_anchor_sim + std::chrono::duration_cast<std::chrono::seconds>(real).count();
}

void World::set_time(std::int64_t epoch) {
  m_anchor_sim = epoch;
  m_anchor_real = std::chrono::steady_clock::now();
}

std::string World::format_local(std::int64_t epoch, bool for_filename) const {
  const CivilTime c = tz.to_local(epoch);
  char buf[40];
  std::snprintf(buf, sizeof buf,
                for_filename ? "%04d_%02d_%02d-%02d_%02d_%02d" : "%04d-%02d-%02d %02d:%02d:%02d",
                c.year, c.month, c.day, c.hour, c.minute, c.second);
  return buf;
}

std::optional<Fault> World::take_fault(Fault::Kind kind, const std::string& method,
                                       const std::string& path) {
  for (auto it = faults.begin(); it != faults.end(); ++it) {
    if (it->kind != kind) continue;
    if (!it->method.empty() && it->method != method) continue;
    if (!it->path_contains.empty() && path.find(it->path_contains) == std::string::npos) continue;
    Fault f = *it;
    if (--it->count <= 0) faults.erase(it);
    return f;
  }
  return std::nullopt;
}

// ---- tasks ---------------------------------------------------------------------------------

std::string World::make_upid(const std::string& node, const std::string& type,
                             const std::string& id, const std::string& user, TaskRecord& task) {
  task.node = node;
  task.type = type;
  task.id = id;
  task.user = user;
  task.pid = m_next_pid++;
  task.pstart = 0x0B2D4E61 + (task.pid & 0xFFFF) * 100;
  task.starttime = now();
  task.upid = "UPID:" + node + ":" + hex8(task.pid) + ":" + hex8(task.pstart) + ":" +
              hex8(task.starttime) + ":" + type + ":" + id + ":" + user + ":";
  ++stats.tasks_started;
  return task.upid;
}

TaskRecord* World::find_task(const std::string& upid) {
  for (auto& t : tasks) {
    if (t.upid == upid) return &t;
  }
  return nullptr;
}

std::string World::start_vzdump(const std::string& node, const std::string& user, VzdumpJob job) {
  TaskRecord task;
  task.job = std::move(job);
  const std::string upid = make_upid(node, "vzdump", std::to_string(task.job.vmid), user, task);
  task.state = TaskRecord::State::waiting;
  if (take_fault(Fault::Kind::task_job_errors, "", "")) task.fail_job_errors = true;
  if (take_fault(Fault::Kind::truncated_archive, "", "")) task.truncate_archive = true;
  // PVE::VZDump->new runs the job-init hook (its output is logged through debugmsg) before
  // the worker tries the node's global lock (pve-manager PVE/API2/VZDump.pm vzdump worker).
  for (const auto& line : options.job_init_hook_lines) task.log.push_back("INFO: " + line);
  task.lock_at = task.starttime + options.job_init_seconds;
  task.extra_log = hostile.task_log_lines;
  tasks.push_back(std::move(task));
  if (tasks.size() > 2000) tasks.pop_front();
  tick();
  return upid;
}

void World::end_task(TaskRecord& task, const std::string& exitstatus, std::int64_t at) {
  task.state = TaskRecord::State::stopped;
  task.exitstatus = exitstatus;
  task.end = at;
  if (exitstatus == "OK") {
    task.log.push_back("TASK OK");
  } else if (exitstatus.rfind("WARNINGS: ", 0) == 0) {
    task.log.push_back("TASK " + exitstatus);
  } else {
    task.log.push_back("TASK ERROR: " + exitstatus);
  }
}

void World::fail_guest(TaskRecord& task, const std::string& reason, std::int64_t at) {
  const std::string line =
      "ERROR: Backup of VM " + std::to_string(task.job.vmid) + " failed - " + reason;
  task.log.push_back(line);
  task.guest_log.push_back(format_local(at, false) + " " + line);
  task.log.push_back("INFO: Backup job finished with errors");
  if (!task.volname.empty()) {  // this task set the guest's backup lock
    locks.erase(task.job.vmid);
    std::error_code ec;
    if (!task.archive_name.empty()) {
      fs::remove(dump_dir(task.job.storage) / (basename_of(task.archive_name) + ".tar.dat"), ec);
    }
  }
  end_task(task, "job errors", at);
}

bool World::lock_busy_at(const TaskRecord& task, std::int64_t at) const {
  for (const auto& t : tasks) {
    if (&t == &task || t.node != task.node || t.type != "vzdump") continue;
    if (t.state == TaskRecord::State::running && t.begin <= at) return true;
    if (t.state == TaskRecord::State::stopped && t.begin != 0 && t.begin <= at && t.end > at) {
      return true;
    }
    // An earlier task already queued for the lock holds its place.
    if (t.state == TaskRecord::State::waiting && t.lock_tried && t.starttime <= task.starttime) {
      return true;
    }
  }
  return false;
}

void World::begin_vzdump(TaskRecord& task, std::int64_t at) {
  const VzdumpJob& job = task.job;
  // getlock: "got global lock" only after waiting; the timeout is checked when it frees.
  if (task.lock_waited) task.log.push_back("INFO: got global lock");
  if (at > task.lock_at + job.lockwait_minutes * 60) {
    task.log.push_back("ERROR: can't acquire lock '/var/run/vzdump.lock' - got timeout");
    end_task(task, "can't acquire lock '/var/run/vzdump.lock' - got timeout", at);
    return;
  }
  task.begin = at;
  task.log.push_back("INFO: starting new backup job: " + job.command_line);
  for (const auto& line : task.extra_log) task.log.push_back(line);
  if (!job.may_backup) {
    end_task(task, "Permission check failed (/vms/" + std::to_string(job.vmid) + ", VM.Backup)",
             at);
    return;
  }
  const auto guest = guests.find(job.vmid);
  task.state = TaskRecord::State::running;
  if (guest == guests.end()) {
    fail_guest(task, "unable to find VM '" + std::to_string(job.vmid) + "'", at);
    return;
  }
  const Guest& g = guest->second;
  auto info = [&](const std::string& text) {
    task.log.push_back("INFO: " + text);
    task.guest_log.push_back(format_local(at, false) + " INFO: " + text);
  };
  info("Starting Backup of VM " + std::to_string(g.vmid) + " (" + g.type + ")");
  info("Backup started at " + format_local(at, false));
  info(std::string("status = ") + (g.running ? "running" : "stopped"));
  if (const auto lock = locks.find(g.vmid); lock != locks.end() && !lock->second.empty()) {
    fail_guest(task, "CT is locked (" + lock->second + ")", at);
    return;
  }
  const PruneOptions retention = parse_prune_options(effective_prune(job)).value_or(PruneOptions{});
  if (!job.remove && !retention.keep_all()) {
    // pve-manager PVE/VZDump.pm exec_backup_task: volume_list(storage, vmid) (the name filter
    // "-<vmid>-"), subtype absent or equal to the guest's (renamed vzdump-lxc-* files too),
    // not protected.
    const auto n = retention.total();
    const auto existing = list_backups(job.storage);
    const std::string tag = "-" + std::to_string(g.vmid) + "-";
    const auto count = std::count_if(existing.begin(), existing.end(), [&](const BackupFile& b) {
      return b.filename.find(tag) != std::string::npos && (b.subtype == g.type) && !b.is_protected;
    });
    if (count >= n) {
      fail_guest(task,
                 "There is a max backup limit of " + std::to_string(n) +
                     " enforced by the target storage or the vzdump parameters. Either increase "
                     "the limit or delete old backups.",
                 at);
      return;
    }
  }
  info("CT Name: " + g.name);
  info("including mount point rootfs ('/') in backup");
  info("backup mode: " + (g.running ? job.mode : std::string("stop")));
  info("ionice priority: 7");
  if (g.running && job.mode == "snapshot") info("create storage snapshot 'vzdump'");
  locks[g.vmid] = "backup";
  task.end = at + static_cast<std::int64_t>(std::ceil(options.task_seconds));
  const StorageSpec* spec = storage_spec(job.storage);
  if (spec != nullptr && spec->kind != StorageSpec::Kind::dir) {
    // exec_backup_task: $archive_txt is 'Proxmox Backup Server' for PBS, the provider's
    // provider_name() for a backup provider; the target is the snapshot / archive name.
    std::string target;
    for (std::int64_t name_time = at;; ++name_time) {
      target = spec->kind == StorageSpec::Kind::pbs
                   ? "ct/" + std::to_string(g.vmid) + "/" + util::iso_utc(name_time)
                   : "ct-" + std::to_string(g.vmid) + "-" + util::iso_utc(name_time);
      if (!find_volume(job.storage, "backup/" + target)) break;
    }
    task.volname = "backup/" + target;
    if (spec->kind == StorageSpec::Kind::pbs) {
      info("creating Proxmox Backup Server archive '" + target + "'");
      info(
          "run: lxc-usernsexec -m u:0:100000:65536 -m g:0:100000:65536 -- "
          "/usr/bin/proxmox-backup-client backup --crypt-mode=none pct.conf:/var/tmp/vzdumptmp" +
          std::to_string(task.pid) + "_" + std::to_string(g.vmid) +
          "/etc/vzdump/pct.conf root.pxar:/mnt/vzsnap0 --include-dev /mnt/vzsnap0/./ "
          "--skip-lost-and-found --backup-type ct --backup-id " +
          std::to_string(g.vmid) + " --backup-time " + std::to_string(at) +
          (job.change_detection_mode.empty()
               ? std::string()
               : " --change-detection-mode " + job.change_detection_mode) +
          " --repository " + spec->pbs_username + "@" + spec->pbs_server + ":" +
          spec->pbs_datastore);
      info("Starting backup: " + target);
      info("Client name: " + task.node);
      info("Starting backup protocol: " + format_local(at, false));
      info("Upload config file '/var/tmp/vzdumptmp" + std::to_string(task.pid) + "_" +
           std::to_string(g.vmid) + "/etc/vzdump/pct.conf' to '" + spec->pbs_username + "@" +
           spec->pbs_server + ":" + spec->pbs_datastore + "' as pct.conf.blob");
    } else {
      info("creating " + spec->provider_name + " archive '" + target + "'");
    }
    return;
  }
  const fs::path dir = dump_dir(job.storage);
  // Two backups started in the same simulated second (frozen clock, task_finish_after_polls)
  // would get the same name; real vzdump runs take longer than a second, so name the later
  // one from the next free second instead of overwriting the earlier archive.
  for (std::int64_t name_time = at;; ++name_time) {
    task.archive_name = "vzdump-lxc-" + std::to_string(g.vmid) + "-" +
                        format_local(name_time, true) + archive_extension(job.compress);
    std::error_code exists_ec;
    if (!fs::exists(dir / task.archive_name, exists_ec) &&
        !fs::exists(dir / (basename_of(task.archive_name) + ".tar.dat"), exists_ec)) {
      break;
    }
  }
  task.volname = "backup/" + task.archive_name;
  info("creating vzdump archive '" + (dir / task.archive_name).string() + "'");
  write_file(dir / (basename_of(task.archive_name) + ".tar.dat"), "");
}

void World::prune_after_backup(TaskRecord& task) {
  const VzdumpJob& job = task.job;
  const PruneOptions retention = parse_prune_options(effective_prune(job)).value_or(PruneOptions{});
  if (!job.remove || retention.keep_all()) return;
  auto info = [&](const std::string& line) {
    task.log.push_back("INFO: " + line);
    task.guest_log.push_back(format_local(task.end, false) + " INFO: " + line);
  };
  info("prune older backups with retention: " + retention.to_string());
  const StorageSpec* spec = storage_spec(job.storage);
  if (spec != nullptr && spec->kind == StorageSpec::Kind::pbs) {
    // PBSPlugin.pm prune_backups.
    info("running 'proxmox-backup-client prune' for 'ct/" + std::to_string(job.vmid) + "'");
  }
  // Plugin.pm prune_backups: standard names grouped by type/vmid; others are `renamed`.
  std::vector<PruneEntry> group;
  for (const auto& b : list_backups(job.storage)) {
    if (b.standard && b.subtype == "lxc" && b.vmid == job.vmid) {
      group.push_back({b.volid, b.ctime, b.is_protected, ""});
    }
  }
  mark_backup_group(group, retention, tz);
  int removed = 0;
  for (const auto& e : group) {
    if (e.mark != "remove") continue;
    remove_volume(job.storage, e.volid.substr(e.volid.find(':') + 1));
    if (spec == nullptr || spec->kind != StorageSpec::Kind::pbs) {
      info("removing backup '" + e.volid + "'");
    }
    ++removed;
  }
  if (removed == 0) {
    info("pruned 0 backup(s)");
  } else {
    info("pruned " + std::to_string(removed) + " backup(s) not covered by keep-retention policy");
  }
}

std::string World::effective_prune(const VzdumpJob& job) const {
  // VZDump.pm new: the API parameter, else the storage's (storage_info), else vzdump.conf's,
  // else the schema default keep-all=1.
  if (job.prune_param) return *job.prune_param;
  if (const StorageSpec* spec = storage_spec(job.storage); spec && !spec->prune_backups.empty()) {
    return spec->prune_backups;
  }
  if (job.conf_prune) return *job.conf_prune;
  return "keep-all=1";
}

void World::finish_vzdump(TaskRecord& task) {
  const VzdumpJob& job = task.job;
  const fs::path dir = dump_dir(job.storage);
  const Guest g = guests.count(job.vmid) ? guests.at(job.vmid) : Guest{job.vmid, "", task.node};
  std::error_code ec;
  auto info = [&](const std::string& text) {
    task.log.push_back("INFO: " + text);
    task.guest_log.push_back(format_local(task.end, false) + " INFO: " + text);
  };
  if (task.fail_job_errors) {
    fail_guest(task,
               "command 'set -o pipefail && lxc-usernsexec -m u:0:100000:65536 -- tar cpf - "
               "--totals --one-file-system ./' failed: exit code 2",
               task.end);
    return;
  }
  const StorageSpec* spec = storage_spec(job.storage);
  const bool is_file = spec == nullptr || spec->kind == StorageSpec::Kind::dir;
  if (is_file) {
    const fs::path temp = dir / (basename_of(task.archive_name) + ".tar.dat");
    const Compression c = job.compress == "zstd"   ? Compression::zstd
                          : job.compress == "gzip" ? Compression::gzip
                                                   : Compression::none;
    const auto size =
        write_archive(temp, c, options.archive_bytes,
                      static_cast<std::uint64_t>(task.begin) ^ static_cast<std::uint64_t>(job.vmid),
                      g.name, task.truncate_archive, guest_config_text(g));
    if (!size) {
      fail_guest(task, size.error(), task.end);
      return;
    }
    info("Total bytes written: " + std::to_string(options.archive_bytes));
    fs::rename(temp, dir / task.archive_name, ec);
    info("archive file size: " + human_size(*size));
  } else {
    Snapshot snap;
    snap.volname = task.volname;
    snap.vmid = job.vmid;
    snap.ctime = task.begin;
    snap.size = options.archive_bytes;
    snap.config = guest_config_text(g);
    snapshots[job.storage].push_back(snap);
    if (spec->kind == StorageSpec::Kind::pbs) {
      const std::string secs = std::to_string(task.end - task.begin) + ".00";
      info("root.pxar: had to backup " + human_size(options.archive_bytes) + " of " +
           human_size(options.archive_bytes) + " (compressed " +
           human_size(options.archive_bytes / 3) + ") in " + secs + " s");
      info("Duration: " + secs + "s");
      info("End Time: " + format_local(task.end, false));
    }
  }
  const auto file = find_volume(job.storage, task.volname);
  if (job.notes_template && file) {
    info("adding notes to backup");
    set_notes(
        *file,
        expand_notes_template(
            *job.notes_template,
            {{"cluster", options.cluster_name.empty() ? "standalone node" : options.cluster_name},
             {"guestname", g.name.empty() ? "CT" + std::to_string(g.vmid) : g.name},
             {"node", task.node},
             {"vmid", std::to_string(g.vmid)}}));
  }
  if (job.protect) {
    info("marking backup as protected");
    const auto fresh = find_volume(job.storage, task.volname);
    const std::string err = fresh ? set_protected(*fresh, true, job.may_allocate) : "not found";
    if (!err.empty()) {
      locks.erase(job.vmid);
      fail_guest(task, "unable to set protected flag - " + err, task.end);
      return;
    }
  }
  prune_after_backup(task);
  if (g.running && job.mode == "snapshot") info("cleanup temporary 'vzdump' snapshot");
  info("Finished Backup of VM " + std::to_string(job.vmid) + " (" +
       duration(task.end - task.begin) + ")");
  info("Backup finished at " + format_local(task.end, false));
  if (is_file) {
    std::string sidecar;
    for (const auto& line : task.guest_log) sidecar += line + "\n";
    write_file(dir / (basename_of(task.archive_name) + ".log"), sidecar);
  }
  task.log.push_back("INFO: Backup job finished successfully");
  if (locks[job.vmid] == "backup") locks.erase(job.vmid);
  end_task(task, "OK", task.end);
}

void World::count_poll(TaskRecord& task) {
  if (task.state == TaskRecord::State::running) {
    ++task.polls;
    return;
  }
  if (task.state == TaskRecord::State::waiting) {  // the lock holder makes the progress
    for (auto& t : tasks) {
      if (t.node == task.node && t.type == "vzdump" && t.state == TaskRecord::State::running) {
        ++t.polls;
      }
    }
  }
}

void World::tick() {
  const std::int64_t t_now = now();
  const auto due = [&](const TaskRecord& t) {
    return t_now >= t.end ||
           (options.task_finish_after_polls > 0 && t.polls >= options.task_finish_after_polls);
  };
  for (bool changed = true; changed;) {
    changed = false;
    std::map<std::string, std::int64_t> lock_free_at;  // node -> when its vzdump lock frees
    std::map<std::string, bool> held;
    for (auto& t : tasks) {
      if (t.state != TaskRecord::State::running) {
        if (t.type == "vzdump" && t.state == TaskRecord::State::stopped && t.begin != 0) {
          lock_free_at[t.node] = std::max(lock_free_at[t.node], t.end);
        }
        continue;
      }
      if (!due(t)) {
        if (t.type == "vzdump") held[t.node] = true;
        continue;
      }
      if (t.end > t_now) t.end = std::max(t.begin, t_now);  // finished by polls
      if (t.type == "vzdump") {
        finish_vzdump(t);
        lock_free_at[t.node] = std::max(lock_free_at[t.node], t.end);
      } else {
        finish_guest_task(t);
      }
      changed = true;
    }
    for (auto& t : tasks) {  // queued vzdumps, oldest first
      if (t.type != "vzdump" || t.state != TaskRecord::State::waiting) continue;
      if (t_now < t.lock_at) continue;  // the job-init hook still runs
      if (!t.lock_tried) {
        t.lock_tried = true;
        changed = true;
        if (lock_busy_at(t, t.lock_at)) {
          // VZDump.pm getlock
          if (t.job.lockwait_minutes == 0) {
            end_task(t, "can't acquire lock '/var/run/vzdump.lock' (wait = 0)", t.lock_at);
            continue;
          }
          t.log.push_back("INFO: trying to get global lock - waiting...");
          t.lock_waited = true;
        }
      }
      if (held[t.node]) continue;
      const std::int64_t at = std::max(t.lock_at, lock_free_at[t.node]);
      if (at > t_now) continue;
      begin_vzdump(t, at);
      changed = true;
      if (t.state == TaskRecord::State::running) held[t.node] = true;
    }
  }
}

void World::stop_task(TaskRecord& task) {
  if (task.state == TaskRecord::State::stopped) return;
  const std::int64_t at = std::max(now(), task.begin);
  if (task.type == "vzdump" && task.state == TaskRecord::State::running) {
    if (locks[task.job.vmid] == "backup") locks.erase(task.job.vmid);
    std::error_code ec;
    fs::remove(dump_dir(task.job.storage) / (basename_of(task.archive_name) + ".tar.dat"), ec);
  }
  task.log.push_back("ERROR: interrupted by signal");
  end_task(task, "interrupted by signal", at);
}

TaskRecord& World::run_imgdel(const std::string& node, const std::string& storage,
                              const std::string& volname, const std::string& user) {
  TaskRecord task;
  const auto found = find_volume(storage, volname);
  std::string vmid;
  if (found && found->vmid != 0) {
    vmid = std::to_string(found->vmid);
  } else {
    static const std::regex owner(R"(-(\d{3,9})-)");
    std::smatch m;
    const std::string file = volname.substr(volname.find('/') + 1);
    if (std::regex_search(file, m, owner)) vmid = m[1].str();
  }
  make_upid(node, "imgdel", vmid.empty() ? storage : vmid + "@" + storage, user, task);
  const std::string volid = storage + ":" + volname;
  if (found && found->is_protected) {
    // Plugin.pm free_image / PBSPlugin: the worker dies on a protected backup.
    end_task(task, "cannot remove protected volume '" + volname + "' on '" + storage + "'",
             task.starttime);
  } else {
    if (!remove_volume(storage, volname)) {
      task.log.push_back("Volume '" + volid + "' does not exist, nothing to remove");
    } else {
      task.log.push_back("Removed volume '" + volid + "'");
    }
    end_task(task, "OK", task.starttime);
  }
  tasks.push_back(std::move(task));
  if (tasks.size() > 2000) tasks.pop_front();
  return tasks.back();
}

}  // namespace pvesim
