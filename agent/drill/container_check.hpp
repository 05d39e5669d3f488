#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "agent/config/drill_config.hpp"
#include "agent/tier/tier_error.hpp"

// The "checks" step of a vzdump drill (drill.vzdump.check): the configured command runs inside
// the running scratch copy through `pct exec <vmid> -- <command>` on this node, again every
// `poll` until it exits 0 or check.timeout_s has passed (each attempt ends at that deadline,
// a hanging one is killed). Its output is bounded and shown escaped.
namespace agent::drill {

struct ContainerCheckOptions {
  std::chrono::milliseconds poll{2000};
  std::function<void(std::chrono::milliseconds)> sleep;  // default std::this_thread::sleep_for
};

// The verified sentence on success; else the failure: invalid (the command failed or did not
// answer in time: the restored copy does not do what it should), local_io (pct cannot be run).
struct ContainerCheckResult {
  std::string verified;
  std::optional<TierError> error;
  int attempts = 0;
};

ContainerCheckResult check_container(const DrillCheckConfig& check, std::int64_t vmid,
                                     const ContainerCheckOptions& options = {});

// "systemctl is-active docker" (for plans and messages).
std::string command_text(const std::vector<std::string>& argv);

}  // namespace agent::drill
