#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include "tests/pvesim/simulator.hpp"
#include "tests/pvesim/tests/sim_client.hpp"

namespace pvesim::testing {

// 2026-01-15 02:00:00 UTC, a Thursday.
constexpr std::int64_t k_start = 1768442400;

// Starts a simulator with a frozen clock in a fresh temp directory; tests move the clock.
class SimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pvesim-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override {
    sim.reset();
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
  Options base_options() {
    Options o;
    o.data_dir = m_dir;
    o.start_time = k_start;
    o.freeze_clock = true;
    o.archive_bytes = 64 * 1024;
    o.task_seconds = 2;
    return o;
  }
  void start(Options o) {
    sim = std::make_unique<Simulator>(std::move(o));
    const auto started = sim->start();
    ASSERT_TRUE(started) << started.error();
    client = std::make_unique<SimClient>(*sim);
  }
  void start() { start(base_options()); }

  // Starts a vzdump of CT 106 on pve1 and returns its UPID.
  std::string start_backup(std::map<std::string, std::string> extra = {}) {
    extra.emplace("vmid", "106");
    extra.emplace("storage", "local");
    extra.emplace("mode", "snapshot");
    extra.emplace("compress", "zstd");
    const auto r = client->post("/nodes/pve1/vzdump", extra);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json.is_object() && r.json["data"].is_string() ? r.json["data"].get<std::string>()
                                                            : "";
  }
  nlohmann::json task_status(const std::string& upid) {
    return client->get("/nodes/pve1/tasks/" + upid + "/status").json["data"];
  }

  std::filesystem::path m_dir;
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<SimClient> client;
};

}  // namespace pvesim::testing
