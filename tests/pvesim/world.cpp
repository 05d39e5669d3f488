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

namespace pvesim {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

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

std::string basename_of(const std::string& archive) {
  static const std::regex ext(R"(\.(tgz|(tar|vma)(\.(gz|lzo|zst|bz2))?)$)");
  return std::regex_replace(archive, ext, "");
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
  const bool busy = std::any_of(tasks.begin(), tasks.end(), [&](const TaskRecord& t) {
    return t.node == node && t.type == "vzdump" && t.state != TaskRecord::State::stopped;
  });
  if (busy && task.job.lockwait_minutes == 0) {
    end_task(task, "can't acquire lock '/var/run/vzdump.lock' (wait = 0)", task.starttime);
  } else if (busy) {
    task.log.push_back("INFO: trying to get global lock - waiting...");
  }
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
  if (!task.archive_name.empty()) {  // this task set the guest's backup lock
    locks.erase(task.job.vmid);
    std::error_code ec;
    fs::remove(dump_dir(task.job.storage) / (basename_of(task.archive_name) + ".tar.dat"), ec);
  }
  end_task(task, "job errors", at);
}

void World::begin_vzdump(TaskRecord& task, std::int64_t at) {
  const VzdumpJob& job = task.job;
  if (at > task.starttime) task.log.push_back("INFO: got global lock");
  if (at > task.starttime + job.lockwait_minutes * 60) {
    end_task(task, "can't acquire lock '/var/run/vzdump.lock' - got timeout", at);
    return;
  }
  task.begin = at;
  task.log.push_back("INFO: starting new backup job: " + job.command_line);
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
  const PruneOptions retention = [&] {
    if (job.prune_param) return parse_prune_options(*job.prune_param).value_or(PruneOptions{});
    return parse_prune_options(options.prune_backups).value_or(PruneOptions{});
  }();
  if (!job.remove && !retention.keep_all()) {
    const auto n = retention.total();
    const auto existing = list_backups(job.storage);
    const auto count = std::count_if(existing.begin(), existing.end(), [&](const BackupFile& b) {
      return b.standard && b.subtype == "lxc" && b.vmid == g.vmid && !b.is_protected;
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
  info("creating vzdump archive '" + (dir / task.archive_name).string() + "'");
  write_file(dir / (basename_of(task.archive_name) + ".tar.dat"), "");
  task.end = at + static_cast<std::int64_t>(std::ceil(options.task_seconds));
}

void World::prune_after_backup(TaskRecord& task) {
  const VzdumpJob& job = task.job;
  const std::string text = job.prune_param ? *job.prune_param : options.prune_backups;
  const PruneOptions retention = parse_prune_options(text).value_or(PruneOptions{});
  if (!job.remove || retention.keep_all()) return;
  auto info = [&](const std::string& line) {
    task.log.push_back("INFO: " + line);
    task.guest_log.push_back(format_local(task.end, false) + " INFO: " + line);
  };
  info("prune older backups with retention: " + retention.to_string());
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
    const std::string file = e.volid.substr(e.volid.find('/') + 1);
    const fs::path dir = dump_dir(job.storage);
    std::error_code ec;
    fs::remove(dir / file, ec);
    fs::remove(dir / (file + ".notes"), ec);
    fs::remove(dir / (basename_of(file) + ".log"), ec);
    info("removing backup '" + e.volid + "'");
    ++removed;
  }
  if (removed == 0) {
    info("pruned 0 backup(s)");
  } else {
    info("pruned " + std::to_string(removed) + " backup(s) not covered by keep-retention policy");
  }
}

void World::finish_vzdump(TaskRecord& task) {
  const VzdumpJob& job = task.job;
  const fs::path dir = dump_dir(job.storage);
  const Guest g = guests.count(job.vmid) ? guests.at(job.vmid) : Guest{job.vmid, "", task.node};
  std::error_code ec;
  const fs::path temp = dir / (basename_of(task.archive_name) + ".tar.dat");
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
  const Compression c = job.compress == "zstd"   ? Compression::zstd
                        : job.compress == "gzip" ? Compression::gzip
                                                 : Compression::none;
  const auto size =
      write_archive(temp, c, options.archive_bytes,
                    static_cast<std::uint64_t>(task.begin) ^ static_cast<std::uint64_t>(job.vmid),
                    g.name, task.truncate_archive);
  if (!size) {
    fail_guest(task, size.error(), task.end);
    return;
  }
  info("Total bytes written: " + std::to_string(options.archive_bytes));
  fs::rename(temp, dir / task.archive_name, ec);
  info("archive file size: " + human_size(*size));
  const std::string volid = job.storage + ":backup/" + task.archive_name;
  if (job.notes_template) {
    info("adding notes to backup");
    const std::string notes = expand_notes_template(
        *job.notes_template,
        {{"cluster", options.cluster_name.empty() ? "standalone node" : options.cluster_name},
         {"guestname", g.name.empty() ? "CT" + std::to_string(g.vmid) : g.name},
         {"node", task.node},
         {"vmid", std::to_string(g.vmid)}});
    write_file(dir / (task.archive_name + ".notes"), notes);
  }
  if (job.protect) {
    info("marking backup as protected");
    const auto file = find_backup(job.storage, task.archive_name);
    const std::string err = file ? set_protected(*file, true, job.may_allocate) : "not found";
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
  std::string sidecar;
  for (const auto& line : task.guest_log) sidecar += line + "\n";
  write_file(dir / (basename_of(task.archive_name) + ".log"), sidecar);
  task.log.push_back("INFO: Backup job finished successfully");
  if (locks[job.vmid] == "backup") locks.erase(job.vmid);
  end_task(task, "OK", task.end);
  (void)volid;
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
  for (bool changed = true; changed;) {
    changed = false;
    std::map<std::string, std::int64_t> lock_free_at;  // node -> when its vzdump lock frees
    std::map<std::string, bool> held;
    for (auto& t : tasks) {
      if (t.type != "vzdump") continue;
      if (t.state == TaskRecord::State::running) {
        const bool by_polls =
            options.task_finish_after_polls > 0 && t.polls >= options.task_finish_after_polls;
        if (t_now >= t.end || by_polls) {
          if (by_polls && t.end > t_now) t.end = std::max(t.begin, t_now);
          finish_vzdump(t);
          changed = true;
        } else {
          held[t.node] = true;
        }
      }
      if (t.state == TaskRecord::State::stopped) {
        lock_free_at[t.node] = std::max(lock_free_at[t.node], t.end);
      }
    }
    for (auto& t : tasks) {
      if (t.type != "vzdump" || t.state != TaskRecord::State::waiting || held[t.node]) continue;
      const std::int64_t at = std::max(t.starttime, lock_free_at[t.node]);
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
  const std::string file = volname.substr(volname.find('/') + 1);
  static const std::regex owner(R"(-(\d{3,9})-)");
  std::smatch m;
  const std::string vmid = std::regex_search(file, m, owner) ? m[1].str() : "";
  make_upid(node, "imgdel", vmid.empty() ? storage : vmid + "@" + storage, user, task);
  const fs::path dir = dump_dir(storage);
  const std::string volid = storage + ":" + volname;
  if (fs::exists(dir / (file + ".protected"))) {
    end_task(task, "cannot remove protected volume '" + volname + "' on '" + storage + "'",
             task.starttime);
  } else {
    std::error_code ec;
    if (!fs::remove(dir / file, ec)) {
      task.log.push_back("Volume '" + volid + "' does not exist, nothing to remove");
    } else {
      task.log.push_back("Removed volume '" + volid + "'");
    }
    fs::remove(dir / (file + ".notes"), ec);
    fs::remove(dir / (basename_of(file) + ".log"), ec);
    end_task(task, "OK", task.starttime);
  }
  tasks.push_back(std::move(task));
  if (tasks.size() > 2000) tasks.pop_front();
  return tasks.back();
}

// ---- storage -------------------------------------------------------------------------------

bool World::has_storage(const std::string& storage) const { return storage == options.storage; }

fs::path World::dump_dir(const std::string& storage) const {
  return options.data_dir / "storage" / storage / "dump";
}

std::vector<BackupFile> World::list_backups(const std::string& storage) const {
  static const std::regex backup(R"(^(.*)\.(tgz|(tar|vma)(\.(gz|lzo|zst|bz2))?)$)");
  static const std::regex standard(
      R"(^vzdump-(lxc|qemu|openvz)-(\d+)-(\d{4})_(\d{2})_(\d{2})-(\d{2})_(\d{2})_(\d{2})\.)");
  static const std::regex vmid_re(R"(-(\d{3,9})-)");
  std::vector<BackupFile> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dump_dir(storage), ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::string name = entry.path().filename().string();
    std::smatch m;
    if (!std::regex_match(name, m, backup)) continue;
    BackupFile b;
    b.filename = name;
    b.path = entry.path();
    b.volid = storage + ":backup/" + name;
    b.format = m[2].str();
    b.size = entry.file_size(ec);
    std::smatch s;
    if (std::regex_search(name, s, standard)) {
      b.standard = true;
      b.subtype = s[1].str();
      b.vmid = std::stoll(s[2].str());
      CivilTime c;
      c.year = std::stoi(s[3].str());
      c.month = std::stoi(s[4].str());
      c.day = std::stoi(s[5].str());
      c.hour = std::stoi(s[6].str());
      c.minute = std::stoi(s[7].str());
      c.second = std::stoi(s[8].str());
      b.ctime = tz.from_local(c);
    } else {
      b.subtype = "unknown";
      if (std::regex_search(name, s, vmid_re)) b.vmid = std::stoll(s[1].str());
      struct stat st {};
      if (::stat(entry.path().c_str(), &st) == 0) b.ctime = st.st_ctime;
    }
    const fs::path notes = entry.path().string() + ".notes";
    if (fs::exists(notes, ec)) {
      b.has_notes = true;
      b.notes = read_file(notes);
    }
    b.is_protected = fs::exists(entry.path().string() + ".protected", ec);
    out.push_back(std::move(b));
  }
  std::sort(out.begin(), out.end(), [](const BackupFile& a, const BackupFile& b) {
    auto lower = [](std::string s) {
      std::transform(s.begin(), s.end(), s.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      return s;
    };
    return lower(a.volid) < lower(b.volid);
  });
  return out;
}

std::optional<BackupFile> World::find_backup(const std::string& storage,
                                             const std::string& filename) const {
  for (auto& b : list_backups(storage)) {
    if (b.filename == filename) return b;
  }
  return std::nullopt;
}

std::int64_t World::protected_cap(bool caller_has_allocate) const {
  if (options.max_protected_backups) return *options.max_protected_backups;
  return caller_has_allocate ? -1 : 5;
}

std::string World::set_protected(const BackupFile& file, bool on, bool caller_has_allocate) {
  const fs::path sentinel = file.path.string() + ".protected";
  if (!on) {
    std::error_code ec;
    fs::remove(sentinel, ec);
    return {};
  }
  if (file.is_protected) return {};
  const std::int64_t cap = protected_cap(caller_has_allocate);
  if (cap >= 0) {
    const auto all = list_backups(options.storage);
    const auto count = std::count_if(all.begin(), all.end(), [&](const BackupFile& b) {
      return b.is_protected && b.vmid == file.vmid && b.subtype == file.subtype;
    });
    if (count >= cap) {
      return "The number of protected backups per guest is limited to " + std::to_string(cap) +
             " on storage '" + options.storage + "'";
    }
  }
  write_file(sentinel, "");
  return {};
}

std::string World::seed_backup(std::int64_t vmid, std::int64_t epoch, const std::string& notes,
                               bool is_protected) {
  const fs::path dir = dump_dir(options.storage);
  const std::string name =
      "vzdump-lxc-" + std::to_string(vmid) + "-" + format_local(epoch, true) + ".tar.zst";
  const std::string host = guests.count(vmid) ? guests.at(vmid).name : "CT" + std::to_string(vmid);
  (void)write_archive(dir / name, Compression::zstd, options.archive_bytes,
                      static_cast<std::uint64_t>(epoch), host, false);
  write_file(dir / (basename_of(name) + ".log"), format_local(epoch, false) +
                                                     " INFO: Starting Backup of VM " +
                                                     std::to_string(vmid) + " (lxc)\n");
  if (!notes.empty()) write_file(dir / (name + ".notes"), notes);
  if (is_protected) write_file(dir / (name + ".protected"), "");
  return options.storage + ":backup/" + name;
}

}  // namespace pvesim
