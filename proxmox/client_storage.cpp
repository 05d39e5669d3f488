// Client calls about storages: what a node reports about them and vzdump's merged defaults.
#include "proxmox/client.hpp"
#include "proxmox/response_parser.hpp"

namespace proxmox {

Result<std::vector<StorageStatus>> Client::node_storages(const std::string& node) {
  return call_with_retry(Request{Method::get, {"nodes", node, "storage"}, {}, true})
      .and_then([](const Response& r) { return parse::storage_statuses(r.body); });
}

Result<StorageStatus> Client::node_storage(const std::string& node, const std::string& storage) {
  auto all = node_storages(node);
  if (!all) return tl::unexpected(all.error());
  for (auto& s : *all) {
    if (s.storage == storage) return std::move(s);
  }
  return make_error(Error::Kind::not_found,
                    "storage '" + storage + "' is not among the storages node " + node +
                        " reports to the API token: it does not exist there, or the token "
                        "lacks Datastore.Audit (or Datastore.AllocateSpace) on /storage/" +
                        storage);
}

Result<std::optional<VzdumpDefaults>> Client::vzdump_defaults(const std::string& node,
                                                              const std::string& storage) {
  auto response = call_with_retry(
      Request{Method::get, {"nodes", node, "vzdump", "defaults"}, {{"storage", storage}}, true});
  if (!response) {
    // pveproxy answers an unknown path with 501 "Method 'GET /...' not implemented"
    // (pve-http-server); a proxy in front may say 404.
    const int status = response.error().http_status;
    if (status == 501 || status == 404) return std::optional<VzdumpDefaults>();
    return tl::unexpected(response.error());
  }
  return parse::vzdump_defaults(response->body).map([](VzdumpDefaults d) {
    return std::optional<VzdumpDefaults>(std::move(d));
  });
}

}  // namespace proxmox
