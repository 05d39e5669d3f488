#include <algorithm>
#include <regex>
#include <set>

#include "tests/pvesim/api_common.hpp"

namespace pvesim {

namespace {
// Notes files may hold invalid UTF-8; replace bad bytes instead of throwing mid-request.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
}  // namespace

ApiResponse ok(const json& data) {
  ApiResponse r;
  r.body = dump(json{{"data", data}});
  return r;
}

ApiResponse ok_with_total(const json& data, std::int64_t total) {
  ApiResponse r;
  r.body = dump(json{{"data", data}, {"total", total}});
  return r;
}

ApiResponse error(const World& world, int status, const std::string& message) {
  ApiResponse r;
  r.status = status;
  r.reason = message.substr(0, message.find('\n'));
  json body{{"data", nullptr}};
  if (world.options.error_message_field) body["message"] = message + "\n";
  r.body = dump(body);
  r.close = true;
  return r;
}

ApiResponse param_error(const World& world, const json& errors) {
  ApiResponse r = error(world, 400, "Parameter verification failed.");
  json body = json::parse(r.body);
  body["errors"] = errors;
  r.body = dump(body);
  return r;
}

ApiResponse perm_error(const World& world, const std::string& acl_path,
                       const std::string& privileges) {
  return error(world, 403, "Permission check failed (" + acl_path + ", " + privileges + ")");
}

ApiResponse not_implemented(const World& world, const ApiRequest& req) {
  return error(world, 501, "Method '" + req.method + " " + req.path + "' not implemented");
}

std::optional<ApiResponse> reject_unknown(const Call& call,
                                          std::initializer_list<const char*> allowed) {
  json errors = json::object();
  for (const auto& [key, value] : call.req.params) {
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      errors[key] =
          "property is not defined in schema and the schema does not allow additional "
          "properties";
    }
  }
  if (errors.empty()) return std::nullopt;
  return param_error(call.world, errors);
}

std::optional<bool> bool_param(const Call& call, const std::string& key,
                               std::optional<ApiResponse>& bad) {
  if (!call.has_param(key)) return std::nullopt;
  const std::string v = call.param(key);
  if (v == "1") return true;
  if (v == "0") return false;
  bad = param_error(call.world, json{{key, "type check ('boolean') failed - got '" + v + "'"}});
  return std::nullopt;
}

std::string uri_unescape(const std::string& text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void parse_form(const std::string& text, std::map<std::string, std::string>& out) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t amp = std::min(text.find('&', pos), text.size());
    const std::string part = text.substr(pos, amp - pos);
    if (!part.empty()) {
      const std::size_t eq = part.find('=');
      out[uri_unescape(part.substr(0, eq), true)] =
          eq == std::string::npos ? "" : uri_unescape(part.substr(eq + 1), true);
    }
    pos = amp + 1;
  }
}

std::vector<std::string> split_api_path(const std::string& decoded_path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= decoded_path.size()) {
    const std::size_t slash = std::min(decoded_path.find('/', pos), decoded_path.size());
    if (slash > pos) out.push_back(decoded_path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

namespace {

ApiResponse unauthorized(const std::string& reason) {
  ApiResponse r;
  r.status = 401;
  r.reason = reason;
  r.close = true;
  return r;
}

// Returns the matching token, or the 401 reason phrase (docs/proxmox-api.md section 1).
const Token* authenticate(const World& world, const ApiRequest& req, std::string& reason) {
  const std::string& auth = req.authorization;
  if (req.cookie.find("PVEAuthCookie=") != std::string::npos ||
      auth.find("PVEAuthCookie=") != std::string::npos) {
    reason = "Authentication failed!";  // this simulator issues no tickets
    return nullptr;
  }
  static const std::regex scheme(R"((^|\s)PVEAPIToken[= ]([^;]*))");
  std::smatch m;
  if (!std::regex_search(auth, m, scheme)) {
    reason = "No ticket";
    return nullptr;
  }
  reason = "Authentication failed!";
  const std::string value = uri_unescape(m[2].str(), false);
  const std::size_t eq = value.rfind('=');
  if (eq == std::string::npos) return nullptr;
  const std::string token_id = value.substr(0, eq);
  const std::string secret = value.substr(eq + 1);
  static const std::regex id_re(R"(^[^\s:/]+@[A-Za-z][A-Za-z0-9._-]+![A-Za-z][A-Za-z0-9._-]+$)");
  if (!std::regex_match(token_id, id_re)) return nullptr;
  for (const auto& t : world.options.tokens) {
    if (t.token_id == token_id && t.secret == secret) return &t;
  }
  return nullptr;
}

ApiResponse route(Call& call) {
  const auto& s = call.req.segments;
  World& w = call.world;
  if (s.empty()) return not_implemented(w, call.req);
  if (s[0] == "version" && s.size() == 1 && call.req.method == "GET") {
    const auto dot = w.options.pve_version.rfind('.');
    return ok(json{{"version", w.options.pve_version},
                   {"release", w.options.pve_version.substr(0, dot)},
                   {"repoid", "14a22df3"}});
  }
  if (s[0] == "cluster" || s[0] == "storage") return handle_cluster(call);
  if (s[0] == "access" && s.size() == 2 && s[1] == "permissions" && call.req.method == "GET") {
    // PVE::API2::AccessControl permissions: the caller's privileges on `path` (each with its
    // propagate bit; the simulator's ACLs always propagate).
    const std::string path = call.param("path", "/");
    std::set<std::string> candidates(call.token.privileges.begin(), call.token.privileges.end());
    for (const auto& [acl_path, privs] : call.token.acl)
      candidates.insert(privs.begin(), privs.end());
    json held = json::object();
    for (const auto& priv : candidates) {
      if (call.may(path, priv)) held[priv] = 1;
    }
    return ok(json{{path, held}});
  }
  if (s[0] != "nodes") return not_implemented(w, call.req);
  if (s.size() == 1) {
    if (call.req.method != "GET") return not_implemented(w, call.req);
    json nodes = json::array();
    for (const auto& n : w.options.nodes) {
      nodes.push_back({{"node", n},
                       {"status", "online"},
                       {"type", "node"},
                       {"id", "node/" + n},
                       {"ssl_fingerprint", ""},
                       {"level", ""}});
    }
    return ok(nodes);
  }
  const std::string& node = s[1];
  if (std::find(w.options.nodes.begin(), w.options.nodes.end(), node) == w.options.nodes.end()) {
    return error(w, 500,
                 "hostname lookup '" + node + "' failed - failed to get address info for: " + node +
                     ": Name or service not known");
  }
  if (s.size() == 2) {
    if (call.req.method != "GET") return not_implemented(w, call.req);
    json index = json::array();
    for (const char* d : {"lxc", "storage", "tasks", "vzdump"}) index.push_back({{"name", d}});
    return ok(index);
  }
  if (s[2] == "vzdump" && s.size() == 3 && call.req.method == "POST") {
    return handle_vzdump(call, node);
  }
  if (s[2] == "vzdump" && s.size() == 4 && s[3] == "defaults" && call.req.method == "GET") {
    return handle_vzdump_defaults(call, node);
  }
  if (s[2] == "vzdump" && s.size() == 4 && s[3] == "extractconfig" && call.req.method == "GET") {
    return handle_extractconfig(call, node);
  }
  if (s[2] == "tasks") return handle_tasks(call, node);
  if (s[2] == "storage") return handle_storage(call, node);
  if (s[2] == "lxc") return handle_lxc(call, node);
  return not_implemented(w, call.req);
}

}  // namespace

ApiResponse handle_api(World& world, const ApiRequest& request) {
  std::lock_guard lock(world.mutex);
  ++world.stats.requests;
  world.request_log.push_back(request.method + " /api2/json" + request.path);
  if (world.request_log.size() > 100000) world.request_log.clear();
  world.requests.push_back({request.method, request.path, request.params});
  if (world.requests.size() > 10000) world.requests.erase(world.requests.begin());
  std::string reason;
  const Token* token = authenticate(world, request, reason);
  if (token == nullptr) return unauthorized(reason);
  if (!request.bad_body.empty()) return error(world, 400, request.bad_body);
  world.tick();
  Call call{world, request, *token};
  return route(call);
}

}  // namespace pvesim
