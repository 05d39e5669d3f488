// Client calls about containers: configuration, the archived configuration, restore, start,
// stop, destroy and whether a vmid is taken (restore drills and the coverage preflight).
#include "proxmox/client.hpp"
#include "proxmox/response_parser.hpp"

namespace proxmox {
namespace {

std::vector<std::string> lxc_path(const std::string& node, std::int64_t vmid) {
  return {"nodes", node, "lxc", std::to_string(vmid)};
}

const char* flag(bool on) { return on ? "1" : "0"; }

// A UPID answer, checked.
Result<std::string> upid_of(const Response& r) {
  auto data = parse::string_data(r.body);
  if (!data) return tl::unexpected(data.error());
  if (auto upid = parse::upid(*data); !upid) return tl::unexpected(upid.error());
  return *data;
}

}  // namespace

Result<LxcConfig> Client::lxc_config(const std::string& node, std::int64_t vmid) {
  auto path = lxc_path(node, vmid);
  path.push_back("config");
  return call_with_retry(Request{Method::get, std::move(path), {}, true})
      .and_then([](const Response& r) { return parse::lxc_config(r.body); });
}

Result<std::vector<std::string>> Client::permissions(const std::string& acl_path) {
  return call_with_retry(
             Request{Method::get, {"access", "permissions"}, {{"path", acl_path}}, true})
      .and_then([&acl_path](const Response& r) { return parse::permissions(r.body, acl_path); });
}

Result<std::string> Client::extract_config_text(const std::string& node, const std::string& volid) {
  return call_with_retry(Request{Method::get,
                                 {"nodes", node, "vzdump", "extractconfig"},
                                 {{"volume", volid}},
                                 true})
      .and_then([](const Response& r) { return parse::string_data(r.body); });
}

Result<LxcConfig> Client::extract_config(const std::string& node, const std::string& volid) {
  return extract_config_text(node, volid).map([](const std::string& text) {
    return parse_pct_conf(text);
  });
}

Result<std::string> Client::restore_container(const std::string& node,
                                              const LxcRestoreRequest& req) {
  Request request{Method::post, {"nodes", node, "lxc"}, {}, false};
  auto& p = request.params;
  p = {{"vmid", std::to_string(req.vmid)},
       {"ostemplate", req.archive},
       {"restore", "1"},
       {"storage", req.storage},
       {"start", flag(req.start)}};
  if (req.unique) p.emplace_back("unique", "1");
  if (req.pool) p.emplace_back("pool", *req.pool);
  for (const auto& [key, value] : req.nets) p.emplace_back(key, value);
  if (req.onboot) p.emplace_back("onboot", flag(*req.onboot));
  if (req.protection) p.emplace_back("protection", flag(*req.protection));
  if (req.tags) p.emplace_back("tags", *req.tags);
  if (req.description) p.emplace_back("description", *req.description);
  return call(request).and_then(upid_of);
}

Result<std::string> Client::start_container(const std::string& node, std::int64_t vmid) {
  auto path = lxc_path(node, vmid);
  path.insert(path.end(), {"status", "start"});
  return call(Request{Method::post, std::move(path), {}, false}).and_then(upid_of);
}

Result<std::string> Client::stop_container(const std::string& node, std::int64_t vmid) {
  auto path = lxc_path(node, vmid);
  path.insert(path.end(), {"status", "stop"});
  return call(Request{Method::post, std::move(path), {}, false}).and_then(upid_of);
}

Result<std::string> Client::destroy_container(const std::string& node, std::int64_t vmid,
                                              bool purge, bool destroy_unreferenced_disks) {
  Request request{Method::del, lxc_path(node, vmid), {}, false};
  if (purge) request.params.emplace_back("purge", "1");
  if (destroy_unreferenced_disks) request.params.emplace_back("destroy-unreferenced-disks", "1");
  return call(request).and_then(upid_of);
}

Result<bool> Client::vmid_in_use(std::int64_t vmid) {
  auto response = call_with_retry(
      Request{Method::get, {"cluster", "nextid"}, {{"vmid", std::to_string(vmid)}}, true});
  if (response) {
    auto free_id = parse::integer_data(response->body);
    if (!free_id) return tl::unexpected(free_id.error());
    if (*free_id != vmid) {
      return make_error(Error::Kind::parse, "GET /cluster/nextid?vmid=" + std::to_string(vmid) +
                                                " answered " + std::to_string(*free_id));
    }
    return false;
  }
  // pve-manager PVE/API2/Cluster.pm nextid: raise_param_exc({vmid => "VM <id> already
  // exists"}), a 400 whatever the guest's type.
  if (response.error().http_status == 400 &&
      response.error().message.find("already exists") != std::string::npos) {
    return true;
  }
  return tl::unexpected(response.error());
}

}  // namespace proxmox
