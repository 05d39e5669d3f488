#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "tests/pvesim/simulator.hpp"

// The setup shared by tests (and the benchmark) that talk to an in-process simulator over real
// HTTPS: a fresh directory per test, the usual options (frozen clock at k_sim_start, tasks
// that finish after two status polls, small archives), the started simulator, and the token
// secret file the agent reads. The directory and the simulator go away with the harness.
namespace pvesim::testing {

constexpr std::int64_t k_sim_start = 1767229200;  // 2026-01-01T01:00:00Z, a Thursday
constexpr std::int64_t k_sim_day = 86400;

class SimHarness {
 public:
  // `name` makes the directory unique per process and test, e.g. the gtest test name.
  explicit SimHarness(const std::string& name)
      : m_dir(std::filesystem::temp_directory_path() /
              ("pvesim-" + std::to_string(::getpid()) + "-" + name)) {
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
    options.data_dir = m_dir / "sim";
    options.start_time = k_sim_start;
    options.freeze_clock = true;
    options.task_finish_after_polls = 2;
    options.archive_bytes = 64 * 1024;
  }
  ~SimHarness() {
    m_sim.reset();  // stop serving before the files go
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
  SimHarness(const SimHarness&) = delete;
  SimHarness& operator=(const SimHarness&) = delete;

  // Starts the simulator with `options` (change them before).
  tl::expected<void, std::string> start() {
    m_sim = std::make_unique<Simulator>(options);
    return m_sim->start();
  }

  Simulator& sim() { return *m_sim; }
  const std::filesystem::path& dir() const { return m_dir; }

  // Writes `secret` to <dir>/token with mode 0600, as the agent's token_secret file wants.
  std::filesystem::path write_token_file(const std::string& secret) const {
    const auto path = m_dir / "token";
    std::filesystem::remove(path);
    std::ofstream(path) << secret << "\n";
    ::chmod(path.c_str(), 0600);
    return path;
  }

  Options options;

 private:
  std::filesystem::path m_dir;
  std::unique_ptr<Simulator> m_sim;
};

}  // namespace pvesim::testing
