#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/pvesim/world.hpp"

namespace pvesim {

// One API request after transport decoding: the path below /api2/json split into segments
// (URI-unescaped, empty segments dropped) and the merged parameters (query string over body).
struct ApiRequest {
  std::string method;
  std::string path;  // "/nodes/pve1/vzdump" (decoded, below /api2/json)
  std::vector<std::string> segments;
  std::map<std::string, std::string> params;
  std::string authorization;
  std::string cookie;
  std::string bad_body;  // non-empty: the body could not be parsed (400 with this text)
};

struct ApiResponse {
  int status = 200;
  std::string reason = "OK";
  std::string body;  // JSON text; empty for 401
  bool close = false;
};

// Authenticates, authorises and answers one request against the world (locks its mutex).
ApiResponse handle_api(World& world, const ApiRequest& request);

// Splits "/a/b%2Fc//d" into {"a", "b/c", "d"} the way PVE's find_handler does.
std::vector<std::string> split_api_path(const std::string& decoded_path);
std::string uri_unescape(const std::string& text, bool plus_is_space);
// Parses "a=1&b=x%20y" into `out` (later keys win).
void parse_form(const std::string& text, std::map<std::string, std::string>& out);

}  // namespace pvesim
