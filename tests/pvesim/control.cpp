#include "tests/pvesim/control.hpp"

#include <nlohmann/json.hpp>

namespace pvesim {
namespace {

using json = nlohmann::json;

ApiResponse reply(int status, const json& body) {
  ApiResponse r;
  r.status = status;
  r.reason = status == 200 ? "OK" : "Bad Request";
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

const std::pair<const char*, Fault::Kind> k_kinds[] = {
    {"http_status", Fault::Kind::http_status},
    {"slow", Fault::Kind::slow},
    {"drop_connection", Fault::Kind::drop_connection},
    {"task_job_errors", Fault::Kind::task_job_errors},
    {"truncated_archive", Fault::Kind::truncated_archive},
    {"wrong_certificate", Fault::Kind::wrong_certificate},
};

// Bytes from "entries_hex"/"lines_hex" (so a test can send invalid UTF-8 through JSON).
std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

const std::pair<const char*, Hostile::Kind> k_hostile[] = {
    {"listing_entries", Hostile::Kind::listing_entries},
    {"task_log_lines", Hostile::Kind::task_log_lines},
    {"deep_json", Hostile::Kind::deep_json},
    {"huge_body", Hostile::Kind::huge_body},
    {"drip", Hostile::Kind::drip},
};

}  // namespace

bool fault_from_json(const std::string& text, Fault& out, std::string& error) {
  try {
    const json j = json::parse(text);
    const std::string kind = j.at("kind").get<std::string>();
    bool known = false;
    for (const auto& [name, k] : k_kinds) {
      if (kind == name) {
        out.kind = k;
        known = true;
      }
    }
    if (!known) {
      error = "unknown fault kind '" + kind + "'";
      return false;
    }
    out.status = j.value("status", 500);
    out.reason = j.value("reason", "");
    out.delay_ms = j.value("delay_ms", 0);
    out.method = j.value("method", "");
    out.path_contains = j.value("path_contains", "");
    out.count = j.value("count", 1);
    out.handle_first = j.value("handle_first", false);
    return true;
  } catch (const json::exception& e) {
    error = std::string("bad fault JSON: ") + e.what();
    return false;
  }
}

ApiResponse handle_control(World& world, const std::string& method, const std::string& path,
                           const std::string& body, const std::function<void()>& on_shutdown) {
  json in = json::object();
  if (!body.empty()) {
    in = json::parse(body, nullptr, false);
    if (!in.is_object()) return reply(400, {{"error", "body must be a JSON object"}});
  }
  std::lock_guard lock(world.mutex);
  try {
    if (path == "/clock" && method == "GET") return reply(200, {{"now", world.now()}});
    if (path == "/clock" && method == "POST") {
      if (in.contains("set")) world.set_time(in["set"].get<std::int64_t>());
      if (in.contains("advance")) world.set_time(world.now() + in["advance"].get<std::int64_t>());
      world.tick();
      return reply(200, {{"now", world.now()}});
    }
    if (path == "/fault" && method == "POST") {
      Fault f;
      std::string error;
      if (!fault_from_json(body, f, error)) return reply(400, {{"error", error}});
      world.faults.push_back(f);
      return reply(200, {{"armed", world.faults.size()}});
    }
    if (path == "/hostile" && method == "POST") {
      Hostile h;
      const std::string kind = in.at("kind").get<std::string>();
      bool known = false;
      for (const auto& [name, k] : k_hostile) {
        if (kind == name) {
          h.kind = k;
          known = true;
        }
      }
      if (!known) return reply(400, {{"error", "unknown hostile kind '" + kind + "'"}});
      for (const auto& e : in.value("entries", std::vector<std::string>{})) h.entries.push_back(e);
      for (const auto& e : in.value("entries_hex", std::vector<std::string>{})) {
        h.entries.push_back(from_hex(e));
      }
      for (const auto& l : in.value("lines", std::vector<std::string>{})) h.lines.push_back(l);
      for (const auto& l : in.value("lines_hex", std::vector<std::string>{})) {
        h.lines.push_back(from_hex(l));
      }
      h.depth = in.value("depth", h.depth);
      h.bytes = in.value("bytes", h.bytes);
      h.interval_ms = in.value("interval_ms", h.interval_ms);
      h.method = in.value("method", "");
      h.path_contains = in.value("path_contains", "");
      h.count = in.value("count", 1);
      auto& state = world.hostile;
      if (h.kind == Hostile::Kind::listing_entries) {
        state.listing_entries.insert(state.listing_entries.end(), h.entries.begin(),
                                     h.entries.end());
      } else if (h.kind == Hostile::Kind::task_log_lines) {
        state.task_log_lines.insert(state.task_log_lines.end(), h.lines.begin(), h.lines.end());
      } else {
        state.answers.push_back(h);
      }
      return reply(200, {{"armed", true}});
    }
    if (path == "/hostile" && method == "DELETE") {
      world.hostile = HostileState{};
      return reply(200, {{"armed", false}});
    }
    if (path == "/verify" && method == "POST") {
      const auto volid = in.at("volid").get<std::string>();
      const auto colon = volid.find(':');
      if (colon == std::string::npos) return reply(400, {{"error", "volid without storage"}});
      bool found = false;
      for (auto& snap : world.snapshots[volid.substr(0, colon)]) {
        if (snap.volname == volid.substr(colon + 1)) {
          snap.verify_state = in.value("state", "ok");
          snap.verify_upid =
              in.value("upid", "UPID:pbs:00000001:00000002:00000003:verify:x:root@pam:");
          found = true;
        }
      }
      if (!found) return reply(400, {{"error", "no such PBS snapshot"}});
      return reply(200, {{"volid", volid}});
    }
    if (path == "/seed" && method == "POST") {
      const auto volid = world.seed_backup(
          in.at("vmid").get<std::int64_t>(), in.at("epoch").get<std::int64_t>(),
          in.value("notes", ""), in.value("protected", false), in.value("storage", ""));
      return reply(200, {{"volid", volid}});
    }
    if (path == "/requests" && method == "GET") {
      json list = json::array();
      for (const auto& r : world.requests) {
        list.push_back({{"method", r.method}, {"path", r.path}, {"params", r.params}});
      }
      return reply(200, {{"requests", list}});
    }
    if (path == "/fault" && method == "DELETE") {
      world.faults.clear();
      return reply(200, {{"armed", 0}});
    }
    if (path == "/migrate" && method == "POST") {
      const auto vmid = in.at("vmid").get<std::int64_t>();
      const auto node = in.at("node").get<std::string>();
      if (!world.guests.count(vmid)) return reply(400, {{"error", "unknown guest"}});
      world.guests[vmid].node = node;
      return reply(200, {{"vmid", vmid}, {"node", node}});
    }
    if (path == "/lock" && method == "POST") {
      const auto vmid = in.at("vmid").get<std::int64_t>();
      const auto lock_name = in.value("lock", "");
      if (lock_name.empty()) {
        world.locks.erase(vmid);
      } else {
        world.locks[vmid] = lock_name;
      }
      return reply(200, {{"vmid", vmid}, {"lock", lock_name}});
    }
    if (path == "/stats" && method == "GET") {
      world.tick();
      return reply(200, {{"requests", world.stats.requests},
                         {"tasks_started", world.stats.tasks_started},
                         {"handshakes", world.stats.handshakes},
                         {"request_log", world.request_log}});
    }
    if (path == "/shutdown" && method == "POST") {
      if (on_shutdown) on_shutdown();
      return reply(200, {{"shutdown", true}});
    }
  } catch (const json::exception& e) {
    return reply(400, {{"error", std::string("bad request: ") + e.what()}});
  }
  ApiResponse r = reply(404, {{"error", "no such control endpoint"}});
  r.reason = "Not Found";
  return r;
}

}  // namespace pvesim
