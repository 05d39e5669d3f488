#pragma once

#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/pvesim/api.hpp"

namespace pvesim {

using json = nlohmann::json;

// One authenticated call: the world (mutex held), the request and the caller's token.
struct Call {
  World& world;
  const ApiRequest& req;
  const Token& token;
  // A privilege held everywhere (the token's global set).
  bool has(const std::string& privilege) const { return token.privileges.count(privilege) != 0; }
  // A privilege on ACL path `path`: global, an ACL entry on it or above, or its pool's.
  bool may(const std::string& path, const std::string& privilege) const {
    return world.allowed(token, path, privilege);
  }
  std::string param(const std::string& key, const std::string& fallback = "") const {
    const auto it = req.params.find(key);
    return it == req.params.end() ? fallback : it->second;
  }
  bool has_param(const std::string& key) const { return req.params.count(key) != 0; }
};

ApiResponse ok(const json& data);
ApiResponse ok_with_total(const json& data, std::int64_t total);
// An error whose reason phrase is the first line of `message` (PVE's rule).
ApiResponse error(const World& world, int status, const std::string& message);
ApiResponse param_error(const World& world, const json& errors);
ApiResponse perm_error(const World& world, const std::string& acl_path,
                       const std::string& privileges);
ApiResponse not_implemented(const World& world, const ApiRequest& req);

// 400 for parameters outside `allowed` (path parameters are never in params).
std::optional<ApiResponse> reject_unknown(const Call& call,
                                          std::initializer_list<const char*> allowed);
// Boolean parameters must be exactly 0 or 1 (PVE's form encoding rule); nullopt = absent.
// On a bad value `bad` receives the 400 response.
std::optional<bool> bool_param(const Call& call, const std::string& key,
                               std::optional<ApiResponse>& bad);

ApiResponse handle_vzdump(Call& call, const std::string& node);
ApiResponse handle_tasks(Call& call, const std::string& node);
ApiResponse handle_storage(Call& call, const std::string& node);
ApiResponse handle_cluster(Call& call);
ApiResponse handle_lxc(Call& call, const std::string& node);
ApiResponse handle_vzdump_defaults(Call& call, const std::string& node);
ApiResponse handle_extractconfig(Call& call, const std::string& node);
json guest_resource(const World& world, const Guest& g);
// Storage.pm check_volume_access for a backup volid; nullopt = allowed.
std::optional<ApiResponse> backup_access_error(const Call& call, const std::string& volid,
                                               std::int64_t vmid);
json storage_status_json(const World& world, const std::string& storage, const std::string& node);

}  // namespace pvesim
