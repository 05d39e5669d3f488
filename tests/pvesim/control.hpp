#pragma once

#include <functional>
#include <string>

#include "tests/pvesim/api.hpp"

namespace pvesim {

// The /_sim/ control endpoints of a standalone pve-sim (README.md): clock, faults, guests,
// stats, shutdown. `path` is below /_sim (e.g. "/clock"); `body` is a JSON object or empty.
ApiResponse handle_control(World& world, const std::string& method, const std::string& path,
                           const std::string& body, const std::function<void()>& on_shutdown);

// Parses a fault description {"kind":"http_status","status":503,...}; error text on failure.
bool fault_from_json(const std::string& text, Fault& out, std::string& error);

}  // namespace pvesim
