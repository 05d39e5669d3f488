#include "proxmox/http_transport.hpp"

#include "http/transport.hpp"

namespace proxmox {

const char* to_string(Method method) {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::del:
      return "DELETE";
  }
  return "GET";
}

std::string Request::path_string() const {
  std::string out;
  for (const auto& segment : path) {
    out += '/';
    out += segment;
  }
  return out;
}

std::optional<std::string> normalize_fingerprint(const std::string& text) {
  return http::normalize_fingerprint(text);
}

}  // namespace proxmox
