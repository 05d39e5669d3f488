// libFuzzer target: the Proxmox API answer decoders (proxmox/response_parser.hpp). The first
// byte picks the endpoint decoder, the rest is the body (JSON seeds from the PVE API). No
// input may crash, leak or throw out of a decoder: bad bodies are Error{parse} values.
#include <string>

#include "proxmox/response_parser.hpp"

namespace p = proxmox::parse;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 15) {
    case 0:
      (void)p::version(body);
      break;
    case 1:
      (void)p::cluster_guests(body);
      break;
    case 2:
      (void)p::guest_status(body);
      break;
    case 3:
      (void)p::string_data(body);
      break;
    case 4:
      (void)p::task_status(body);
      break;
    case 5:
      (void)p::task_log(body);
      break;
    case 6:
      (void)p::task_list(body);
      break;
    case 7:
      (void)p::backup_list(body);
      break;
    case 8:
      (void)p::volume_info(body);
      break;
    case 9:
      (void)p::backup_jobs(body);
      break;
    case 10:
      (void)p::storage_config(body);
      break;
    case 11:
      (void)p::prune_marks(body);
      break;
    case 12:
      (void)p::upid(body);
      break;
    default: {
      proxmox::Request req;
      req.path = {"nodes", "pve", "storage"};
      proxmox::Response resp;
      resp.status = 400 + data[0] % 200;
      resp.reason = body.substr(0, body.size() / 4);
      resp.body = body;
      (void)p::error_from_response(req, resp);
      break;
    }
  }
  return 0;
}
