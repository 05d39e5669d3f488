#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

// One local program run to its end with a deadline and bounded output, for the vzdump drill's
// check through `pct exec` (the agent runs as root on the Proxmox node). No shell: `program`
// (a bare name is looked up on PATH) gets `args` as they are; stdin is /dev/null; stdout and
// stderr are collected together, the first `max_output` bytes kept. At the deadline the
// program's whole process group is killed (SIGKILL). Never throws.
namespace agent::drill {

struct ProcessResult {
  std::optional<int> exit_status;  // set when it exited on its own
  std::optional<int> signal;       // set when a signal ended it (also after a timeout's kill)
  bool timed_out = false;
  std::string output;  // stdout and stderr, at most max_output bytes
  bool output_truncated = false;
  std::string spawn_error;  // set when it could not be started (then nothing else is)
};

ProcessResult run_process(const std::filesystem::path& program,
                          const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                          std::size_t max_output = 4096);

}  // namespace agent::drill
