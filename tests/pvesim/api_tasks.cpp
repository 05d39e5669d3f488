// Task endpoints: list, status, log, stop (docs/proxmox-api.md section 5).
#include <cctype>
#include <regex>

#include "tests/pvesim/api_common.hpp"

namespace pvesim {
namespace {

json task_fields(const TaskRecord& t) {
  return json{{"upid", t.upid},           {"node", t.node}, {"pid", t.pid}, {"pstart", t.pstart},
              {"starttime", t.starttime}, {"type", t.type}, {"id", t.id},   {"user", t.user}};
}

bool owns(const Call& call, const TaskRecord& t) { return t.user == call.token.token_id; }

std::optional<std::int64_t> int_param(const Call& call, const std::string& key,
                                      std::optional<ApiResponse>& bad) {
  if (!call.has_param(key)) return std::nullopt;
  const std::string v = call.param(key);
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) {
    bad = param_error(call.world, json{{key, "type check ('integer') failed - got '" + v + "'"}});
    return std::nullopt;
  }
  return std::stoll(v);
}

ApiResponse list_tasks(Call& call, const std::string& node) {
  World& w = call.world;
  if (auto bad = reject_unknown(call, {"typefilter", "vmid", "source", "errors", "limit", "start",
                                       "since", "until", "userfilter", "statusfilter"})) {
    return *bad;
  }
  std::optional<ApiResponse> bad;
  const auto limit = int_param(call, "limit", bad).value_or(50);
  const auto start = int_param(call, "start", bad).value_or(0);
  const auto since = int_param(call, "since", bad);
  const auto until = int_param(call, "until", bad);
  const auto errors_only = bool_param(call, "errors", bad).value_or(false);
  if (bad) return *bad;
  const std::string source = call.param("source", "archive");
  if (source != "archive" && source != "active" && source != "all") {
    return param_error(w, json{{"source", "value '" + source +
                                              "' does not have a value in the enumeration "
                                              "'archive, active, all'"}});
  }
  const bool audit = call.may("/nodes/" + node, "Sys.Audit");
  json list = json::array();
  std::int64_t count = 0;
  std::int64_t left = limit;
  std::string userfilter = call.param("userfilter");
  for (char& c : userfilter) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // pve-manager PVE/API2/Tasks.pm node_tasks: active tasks first (from the active list, users
  // not split, status RUNNING), then the index (finished, token users split into user +
  // tokenid), newest first; `total` counts every match.
  auto emit = [&](const TaskRecord& t, bool active) {
    json item = task_fields(t);
    if (!active) {
      if (const auto bang = t.user.find('!'); bang != std::string::npos) {
        item["user"] = t.user.substr(0, bang);
        item["tokenid"] = t.user.substr(bang + 1);
      }
    }
    std::string user = item["user"].get<std::string>();
    for (char& c : user) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!userfilter.empty() && user.find(userfilter) == std::string::npos) return;
    if (!audit && !owns(call, t)) return;
    if (call.has_param("typefilter") && t.type != call.param("typefilter")) return;
    if (call.has_param("vmid") && t.id != call.param("vmid")) return;  // the exact id
    if (since && t.starttime < *since) return;
    if (until && t.starttime > *until) return;
    if (errors_only && !active && t.exitstatus == "OK") return;
    if (count++ < start) return;
    if (left <= 0) return;
    if (active) {
      item["status"] = "RUNNING";
    } else {
      item["status"] = t.exitstatus;
      item["endtime"] = t.end;
    }
    list.push_back(item);
    --left;
  };
  if (source == "active" || source == "all") {
    for (auto it = w.tasks.rbegin(); it != w.tasks.rend(); ++it) {
      if (it->node == node && it->state != TaskRecord::State::stopped) emit(*it, true);
    }
  }
  if (source != "active") {
    for (auto it = w.tasks.rbegin(); it != w.tasks.rend(); ++it) {
      if (it->node == node && it->state == TaskRecord::State::stopped) emit(*it, false);
    }
  }
  return ok_with_total(list, count);
}

}  // namespace

ApiResponse handle_tasks(Call& call, const std::string& node) {
  World& w = call.world;
  const auto& s = call.req.segments;
  const std::string& method = call.req.method;
  if (s.size() == 3) {
    if (method != "GET") return not_implemented(w, call.req);
    return list_tasks(call, node);
  }
  if (s.size() > 5) return not_implemented(w, call.req);
  const std::string& upid = s[3];
  static const std::regex upid_re(
      R"(^UPID:[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:\s/]+:[^:\s]*:[^:\s/]+:$)");
  if (!std::regex_match(upid, upid_re)) {
    return param_error(w, json{{"upid", "unable to parse worker upid"}});
  }
  TaskRecord* task = w.find_task(upid);
  if (task == nullptr || task->node != node) {
    return param_error(w, json{{"upid", "no such task"}});
  }
  if (s.size() == 4 && method == "DELETE") {
    if (!owns(call, *task) && !call.may("/nodes/" + node, "Sys.Modify")) {
      return perm_error(w, "/nodes/" + node, "Sys.Modify");
    }
    w.stop_task(*task);
    w.tick();
    return ok(nullptr);
  }
  if (method != "GET") return not_implemented(w, call.req);
  if (!owns(call, *task) && !call.may("/nodes/" + node, "Sys.Audit")) {
    return perm_error(w, "/nodes/" + node, "Sys.Audit");
  }
  if (s.size() == 4) return ok(json::array({{{"name", "log"}}, {{"name", "status"}}}));
  if (s[4] == "status") {
    if (auto bad = reject_unknown(call, {})) return *bad;
    w.count_poll(*task);
    w.tick();
    json st = task_fields(*task);
    if (const auto bang = task->user.find('!'); bang != std::string::npos) {
      st["user"] = task->user.substr(0, bang);
      st["tokenid"] = task->user.substr(bang + 1);
    }
    st["status"] = task->state == TaskRecord::State::stopped ? "stopped" : "running";
    if (task->state == TaskRecord::State::stopped) st["exitstatus"] = task->exitstatus;
    return ok(st);
  }
  if (s[4] == "log") {
    if (auto bad = reject_unknown(call, {"start", "limit", "download"})) return *bad;
    std::optional<ApiResponse> bad;
    const auto start = int_param(call, "start", bad).value_or(0);
    const auto limit = int_param(call, "limit", bad).value_or(50);
    if (bad) return *bad;
    std::vector<std::string> lines = task->log;
    if (lines.empty()) lines.push_back("no content");
    json data = json::array();
    const auto total = static_cast<std::int64_t>(lines.size());
    for (std::int64_t i = start; i < total && (limit == 0 || i < start + limit); ++i) {
      data.push_back({{"n", i + 1}, {"t", lines[static_cast<std::size_t>(i)]}});
    }
    return ok_with_total(data, total);
  }
  return not_implemented(w, call.req);
}

}  // namespace pvesim
