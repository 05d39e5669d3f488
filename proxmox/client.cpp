#include "proxmox/client.hpp"

#include <algorithm>
#include <deque>
#include <thread>

#include "proxmox/response_parser.hpp"
#include "proxmox/task_log.hpp"

namespace proxmox {
namespace {

Request get(std::vector<std::string> path, Params params = {}) {
  return Request{Method::get, std::move(path), std::move(params), true};
}

std::vector<std::string> task_path(const std::string& node, const std::string& upid) {
  return {"nodes", node, "tasks", upid};
}

std::vector<std::string> volume_path(const std::string& node, const std::string& storage,
                                     const std::string& volid) {
  return {"nodes", node, "storage", storage, "content", volid};
}

// "WARNINGS: 3" -> 3; -1 when `status` is not a warnings status.
int warnings_of(const std::string& status) {
  const std::string prefix = "WARNINGS: ";
  if (status.rfind(prefix, 0) != 0) return -1;
  try {
    return std::stoi(status.substr(prefix.size()));
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

Client::Client(std::unique_ptr<HttpTransport> transport, ClientOptions options)
    : m_transport(std::move(transport)), m_options(std::move(options)) {
  if (!m_options.sleep) {
    m_options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  if (!m_options.now) m_options.now = [] { return std::chrono::steady_clock::now(); };
  if (!m_options.epoch_now) {
    m_options.epoch_now = [] {
      return static_cast<std::int64_t>(
          std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
    };
  }
}

void Client::sleep(std::chrono::milliseconds d) { m_options.sleep(d); }

Result<Response> Client::call(const Request& request) {
  ++m_stats.requests;
  auto response = m_transport->send(request);
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) {
    return tl::unexpected(parse::error_from_response(request, *response));
  }
  return response;
}

Result<Response> Client::call_with_retry(const Request& request) {
  auto delay = m_options.retry.first_delay;
  for (int attempt = 1;; ++attempt) {
    auto response = call(request);
    if (response || !request.idempotent || attempt >= m_options.retry.attempts ||
        !is_transient(response.error())) {
      return response;
    }
    sleep(delay);
    delay = std::min(delay * 2, m_options.retry.max_delay);
  }
}

Result<Version> Client::version() {
  return call_with_retry(get({"version"})).and_then([](const Response& r) {
    return parse::version(r.body);
  });
}

Result<ClusterGuest> Client::locate_guest(std::int64_t vmid) {
  auto guests = call_with_retry(get({"cluster", "resources"}, {{"type", "vm"}}))
                    .and_then([](const Response& r) { return parse::cluster_guests(r.body); });
  if (!guests) return tl::unexpected(guests.error());
  for (const auto& g : *guests) {
    if (g.vmid == vmid) return g;
  }
  return make_error(Error::Kind::not_found,
                    "guest " + std::to_string(vmid) +
                        " is not in /cluster/resources: it does not exist, or the API token "
                        "lacks VM.Audit on /vms/" +
                        std::to_string(vmid) + " (guests without it are silently hidden)");
}

Result<GuestStatus> Client::guest_status(const std::string& node, std::int64_t vmid,
                                         const std::string& type) {
  return call_with_retry(get({"nodes", node, type, std::to_string(vmid), "status", "current"}))
      .and_then([](const Response& r) { return parse::guest_status(r.body); });
}

Result<std::string> Client::start_vzdump(const std::string& node, const VzdumpRequest& req) {
  Request request{Method::post, {"nodes", node, "vzdump"}, {}, false};
  request.params = {{"vmid", std::to_string(req.vmid)},
                    {"mode", req.mode},
                    {"storage", req.storage},
                    {"compress", req.compress},
                    {"remove", req.remove ? "1" : "0"}};
  if (!req.notes_template.empty())
    request.params.emplace_back("notes-template", req.notes_template);
  if (req.notification_mode)
    request.params.emplace_back("notification-mode", *req.notification_mode);
  if (req.mailto) request.params.emplace_back("mailto", *req.mailto);
  if (req.pbs_change_detection_mode) {
    request.params.emplace_back("pbs-change-detection-mode", *req.pbs_change_detection_mode);
  }

  // Tasks started by this POST have a starttime at or after the first send, on the clock of
  // the node running them; the slack covers clock skew between cluster nodes.
  constexpr std::int64_t k_clock_slack_s = 60;
  const std::int64_t since = m_options.epoch_now() - k_clock_slack_s;
  auto delay = m_options.retry.first_delay;
  for (int attempt = 1;; ++attempt) {
    auto response = call(request);
    if (response) {
      auto data = parse::string_data(response->body);
      if (!data) return tl::unexpected(data.error());
      if (*data == "OK") {
        return make_error(Error::Kind::not_found, "vzdump on node " + node +
                                                      " answered \"OK\" without starting a task: "
                                                      "guest " +
                                                      std::to_string(req.vmid) +
                                                      " is not on that node "
                                                      "(migrated?)");
      }
      if (auto upid = parse::upid(*data); !upid) return tl::unexpected(upid.error());
      return *data;
    }
    if (!may_have_acted(response.error()) || attempt >= m_options.retry.attempts) {
      return tl::unexpected(response.error());
    }
    // The request may have reached the server and started a task whose answer was lost. Give
    // a proxied request time to land, then adopt the task instead of starting a second one.
    sleep(delay);
    delay = std::min(delay * 2, m_options.retry.max_delay);
    Error lookup_error;
    const Adoption found = find_started_vzdump(node, req, since, lookup_error);
    if (found.upid) return *found.upid;
    if (!lookup_error.message.empty() || !found.undecided.empty()) {
      // Cannot tell whether a task started: do not risk a second backup.
      Error e = response.error();
      e.message += lookup_error.message.empty()
                       ? "; " + found.undecided + ", so vzdump was not started again"
                       : "; whether the vzdump task started could not be checked (" +
                             lookup_error.message + "), so it was not started again";
      return tl::unexpected(e);
    }
  }
}

Result<Client::LogScan> Client::scan_for_command_line(const std::string& node,
                                                      const std::string& upid, LogScan from,
                                                      std::int64_t limit) {
  constexpr std::int64_t k_page = 50;  // the API's default page
  while (from.read < limit) {
    auto page = task_log(node, upid, from.read, std::min(k_page, limit - from.read));
    if (!page) return tl::unexpected(page.error());
    from.total = page->total;
    // An empty log is the single line "no content" (pve-common Tools.pm dump_logfile).
    if (page->total == 1 && page->lines.size() == 1 && page->lines[0].text == "no content") {
      from.total = 0;
      return from;
    }
    std::int64_t last = from.read;
    for (const auto& line : page->lines) {
      if (line.n <= from.read) continue;
      last = std::max(last, line.n);
      if (auto cmd = job_command_line(line.text)) {
        from.command_line = std::string(*cmd);
        from.read = line.n;
        return from;
      }
    }
    if (last == from.read) return from;  // nothing new: the end of the log for now
    from.read = last;
    if (from.read >= from.total) return from;
  }
  return from;
}

Client::Adoption Client::find_started_vzdump(const std::string& node, const VzdumpRequest& req,
                                             std::int64_t since, Error& lookup_error) {
  Adoption out;
  auto tasks = list_tasks(node, "vzdump", req.vmid, false, since);
  if (!tasks) {
    lookup_error = tasks.error();
    return out;
  }
  struct Pending {
    std::string upid;
    LogScan scan;
  };
  std::vector<Pending> pending;
  const std::string vmid = std::to_string(req.vmid);
  // Decides one candidate from its scanned log; true when it was adopted.
  auto decide = [&](const std::string& upid, const LogScan& scan) {
    if (scan.command_line && scan.command_line->find(req.log_marker) != std::string::npos) {
      out.upid = upid;
      return true;
    }
    return false;
  };
  for (const auto& t : *tasks) {  // newest first
    if (t.type != "vzdump" || t.id != vmid || t.starttime < since ||
        (!m_options.token_id.empty() && t.user != m_options.token_id)) {
      continue;
    }
    if (req.log_marker.empty()) {
      out.upid = t.upid;
      return out;
    }
    auto scan = scan_for_command_line(node, t.upid, LogScan{}, m_options.adoption_log_lines);
    if (!scan) {
      lookup_error = scan.error();
      return out;
    }
    if (scan->command_line) {
      if (decide(t.upid, *scan)) return out;
      continue;  // another run's job
    }
    if (scan->read >= m_options.adoption_log_lines) {
      out.undecided = "vzdump task " + t.upid + " logged more than " +
                      std::to_string(m_options.adoption_log_lines) +
                      " lines before its command line, so whether it is this run's is unknown";
      return out;
    }
    if (t.running) {
      pending.push_back({t.upid, *scan});
    }
    // A finished task that never logged its command line ended before its job started (e.g.
    // the lock wait timed out): it made no backup.
  }

  // Candidates still waiting for the node's vzdump lock or running a job-init hook: wait for
  // their command line instead of posting a second backup behind them.
  const auto deadline = m_options.now() + m_options.adoption_wait;
  auto poll = std::chrono::milliseconds(1000);
  while (!pending.empty()) {
    if (m_options.now() >= deadline) {
      out.undecided = "vzdump task " + pending.front().upid +
                      " of this token and guest has not logged its command line after " +
                      std::to_string(m_options.adoption_wait.count()) +
                      " s (it waits for the node's vzdump lock or a hook script)";
      return out;
    }
    sleep(poll);
    poll = std::min(poll * 2, std::chrono::milliseconds(10'000));
    for (auto it = pending.begin(); it != pending.end();) {
      auto status = task_status(node, it->upid);
      if (!status) {
        lookup_error = status.error();
        return out;
      }
      auto scan = scan_for_command_line(node, it->upid, it->scan, m_options.adoption_log_lines);
      if (!scan) {
        lookup_error = scan.error();
        return out;
      }
      it->scan = *scan;
      if (scan->command_line) {
        if (decide(it->upid, *scan)) return out;
        it = pending.erase(it);
        continue;
      }
      if (scan->read >= m_options.adoption_log_lines) {
        out.undecided = "vzdump task " + it->upid + " logged more than " +
                        std::to_string(m_options.adoption_log_lines) +
                        " lines before its command line, so whether it is this run's is unknown";
        return out;
      }
      if (!status->running) {
        it = pending.erase(it);  // ended before its job started
        continue;
      }
      ++it;
    }
  }
  return out;
}

Result<TaskStatus> Client::task_status(const std::string& node, const std::string& upid) {
  auto path = task_path(node, upid);
  path.push_back("status");
  return call_with_retry(get(std::move(path))).and_then([](const Response& r) {
    return parse::task_status(r.body);
  });
}

Result<TaskLogPage> Client::task_log(const std::string& node, const std::string& upid,
                                     std::int64_t skip, std::int64_t limit) {
  auto path = task_path(node, upid);
  path.push_back("log");
  return call_with_retry(get(std::move(path),
                             {{"start", std::to_string(skip)}, {"limit", std::to_string(limit)}}))
      .and_then([](const Response& r) { return parse::task_log(r.body); });
}

Result<void> Client::stop_task(const std::string& node, const std::string& upid) {
  Request request{Method::del, task_path(node, upid), {}, true};
  return call_with_retry(request).map([](const Response&) {});
}

Result<std::vector<TaskSummary>> Client::list_tasks(const std::string& node,
                                                    const std::string& type, std::int64_t vmid,
                                                    bool active_only,
                                                    std::optional<std::int64_t> since) {
  Params params{{"typefilter", type},
                {"vmid", std::to_string(vmid)},
                {"source", active_only ? "active" : "all"}};
  if (since) params.emplace_back("since", std::to_string(*since));
  return call_with_retry(get({"nodes", node, "tasks"}, std::move(params)))
      .and_then([](const Response& r) { return parse::task_list(r.body); });
}

Result<TaskResult> Client::wait_task(const std::string& node, const std::string& upid,
                                     const WaitOptions& options) {
  const auto deadline = m_options.now() + options.timeout;
  auto delay = options.first_poll;
  std::int64_t seen = 0;
  std::deque<std::string> tail;
  TaskStatus last_status;
  // Every request made while waiting counts as polling (the benchmark budget excludes it).
  struct PollCounter {
    ClientStats& stats;
    std::uint64_t before;
    ~PollCounter() { stats.polls += stats.requests - before; }
  } counter{m_stats, m_stats.requests};

  auto drain_log = [&]() -> Result<void> {
    auto page = task_log(node, upid, seen);
    if (!page) return tl::unexpected(page.error());
    // An empty log is reported as the single line "no content"; it is not a real line.
    if (page->total == 1 && page->lines.size() == 1 && page->lines[0].text == "no content") {
      return {};
    }
    for (const auto& line : page->lines) {
      if (line.n <= seen) continue;
      seen = line.n;
      if (options.on_log_line) options.on_log_line(line.text);
      tail.push_back(line.text);
      if (tail.size() > 20) tail.pop_front();
    }
    return {};
  };

  while (true) {
    auto status = task_status(node, upid);
    if (!status) return tl::unexpected(status.error());
    if (auto logged = drain_log(); !logged) return tl::unexpected(logged.error());
    if (!status->running) {
      last_status = *status;
      break;
    }
    if (m_options.now() >= deadline) {
      auto stopped = stop_task(node, upid);
      return make_error(
          Error::Kind::timeout,
          "task " + upid + " did not finish within " + std::to_string(options.timeout.count()) +
              " s; " +
              (stopped ? "it was stopped" : "stopping it failed too: " + stopped.error().message));
    }
    sleep(delay);
    delay = std::min(delay * 2, options.max_poll);
  }

  TaskResult result{upid, last_status.exitstatus, 0, {tail.begin(), tail.end()}};
  if (result.exitstatus == "OK") return result;
  if (int n = warnings_of(result.exitstatus); n >= 0) {
    result.warnings = n;
    return result;
  }
  std::string message = "task " + upid + " failed: " + result.exitstatus;
  if (!result.log_tail.empty()) {
    message += ". Last log lines:";
    const std::size_t from = result.log_tail.size() > 5 ? result.log_tail.size() - 5 : 0;
    for (std::size_t i = from; i < result.log_tail.size(); ++i) {
      message += "\n  " + result.log_tail[i];
    }
  }
  return make_error(Error::Kind::task_failed, message);
}

Result<std::vector<BackupVolume>> Client::list_backups(const std::string& node,
                                                       const std::string& storage,
                                                       std::int64_t vmid) {
  return list_backups_checked(node, storage, vmid).map([](BackupListing l) {
    return std::move(l.volumes);
  });
}

Result<BackupListing> Client::list_backups_checked(const std::string& node,
                                                   const std::string& storage, std::int64_t vmid) {
  auto all = call_with_retry(get({"nodes", node, "storage", storage, "content"},
                                 {{"content", "backup"}, {"vmid", std::to_string(vmid)}}))
                 .and_then([](const Response& r) { return parse::backup_list(r.body); });
  if (!all) return tl::unexpected(all.error());
  // The vmid filter only matches "-<vmid>-" in the name (pve-storage Plugin.pm
  // get_subdir_files) and the answer sets `vmid` to the one asked for: keep the entries that
  // claim this container's lxc group, then check that the volid agrees.
  BackupListing out;
  for (auto& v : *all) {
    if (v.subtype != "lxc" || v.vmid != vmid) continue;
    std::string why;
    if (v.name.form == BackupNameForm::unsafe) {
      why = "unsafe volid: " + v.name.reason;
    } else if (v.name.storage != storage) {
      why = "the volid names storage '" + v.name.storage + "', not '" + storage + "'";
    } else if (!v.name.guest_type.empty() && v.name.guest_type != "lxc") {
      why = "the volid names a " + v.name.guest_type + " backup, not a container's";
    } else if (v.name.vmid && *v.name.vmid != vmid) {
      why =
          "the volid names guest " + std::to_string(*v.name.vmid) + ", not " + std::to_string(vmid);
    }
    if (!why.empty()) {
      out.rejected.push_back({v.volid, why});
      continue;
    }
    out.volumes.push_back(std::move(v));
  }
  std::stable_sort(out.volumes.begin(), out.volumes.end(),
                   [](const BackupVolume& a, const BackupVolume& b) { return a.ctime < b.ctime; });
  return out;
}

Result<VolumeInfo> Client::read_volume(const std::string& node, const std::string& storage,
                                       const std::string& volid) {
  return call_with_retry(get(volume_path(node, storage, volid))).and_then([](const Response& r) {
    return parse::volume_info(r.body);
  });
}

Result<void> Client::update_volume(const std::string& node, const std::string& storage,
                                   const std::string& volid, const VolumeUpdate& update) {
  Request request{Method::put, volume_path(node, storage, volid), {}, true};
  if (update.notes) request.params.emplace_back("notes", *update.notes);
  if (update.is_protected)
    request.params.emplace_back("protected", *update.is_protected ? "1" : "0");
  // Setting attributes is idempotent: repeating it yields the same state.
  return call_with_retry(request).map([](const Response&) {});
}

Result<TaskResult> Client::delete_volume(const std::string& node, const std::string& storage,
                                         const std::string& volid, const WaitOptions& options) {
  // Not retried blindly: a repeated DELETE of an already removed volume would start a second
  // task; the caller re-lists and decides.
  Request request{Method::del, volume_path(node, storage, volid), {}, false};
  auto response = call(request);
  if (!response) return tl::unexpected(response.error());
  auto upid = parse::string_data(response->body);
  if (!upid) return tl::unexpected(upid.error());
  if (upid->empty()) return TaskResult{};  // PVE < 6.0 deleted synchronously
  auto result = wait_task(node, *upid, options);
  if (!result) {
    Error e = result.error();
    e.message = "deleting " + volid + ": " + e.message;
    return tl::unexpected(e);
  }
  return result;
}

Result<std::vector<BackupJob>> Client::backup_jobs() {
  return call_with_retry(get({"cluster", "backup"})).and_then([](const Response& r) {
    return parse::backup_jobs(r.body);
  });
}

Result<StorageConfig> Client::storage_config(const std::string& storage) {
  return call_with_retry(get({"storage", storage})).and_then([](const Response& r) {
    return parse::storage_config(r.body);
  });
}

Result<std::vector<PruneMark>> Client::storage_prune_preview(const std::string& node,
                                                             const std::string& storage,
                                                             std::int64_t vmid) {
  // Advisory (the conflict check) and answered 500 "no prune-backups options configured" on
  // most storages: one attempt, no retry.
  return call(get({"nodes", node, "storage", storage, "prunebackups"},
                  {{"type", "lxc"}, {"vmid", std::to_string(vmid)}}))
      .and_then([](const Response& r) { return parse::prune_marks(r.body); });
}

}  // namespace proxmox
