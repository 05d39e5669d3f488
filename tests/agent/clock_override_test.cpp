// `status` and `list` read the same clock as `run`: PVE_SMOKERBAK_NOW when set (the end-to-end
// tests' simulated year), and a value that does not parse is a usage error, not ignored.
// Drives the real command line in-process (status may ask systemd about its timer, so this
// is an integration test).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/cli/command_context.hpp"
#include "agent/tier/tier_record.hpp"

namespace {

namespace fs = std::filesystem;

class ClockOverride : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("clock_override_test." + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "backups");
    m_config = m_dir / "config.yaml";
    std::ofstream(m_config) << "timezone: UTC\n"
                            << "state_dir: " << (m_dir / "state").string() << "\n"
                            << "metrics_file: " << (m_dir / "metrics.prom").string() << "\n"
                            << "targets:\n"
                            << "  - name: prod-cloud\n"
                            << "    vmid: 106\n"
                            << "    mongo:\n"
                            << "      ssh: {host: 127.0.0.1, identity_file: /dev/null, "
                               "known_hosts: /dev/null}\n"
                            << "      database: smoker\n"
                            << "      backup_dir: " << (m_dir / "backups").string() << "\n";
    agent::TierRecord r;
    r.target = "prod-cloud";
    r.tier = agent::TierName::mongo;
    r.last_run_id = "20260102T020405Z";
    r.last_run_at = k_now - 3600;
    r.last_run_state = agent::TierState::ok;
    r.last_success_at = k_now - 3600;
    ASSERT_FALSE(agent::save_tier_record(m_dir / "state", r));
  }
  void TearDown() override {
    ::unsetenv("PVE_SMOKERBAK_NOW");
    fs::remove_all(m_dir);
  }

  int run(std::vector<std::string> args) {
    m_out.str("");
    m_err.str("");
    agent::StreamOutput output(m_out, m_err);
    agent::CommandContext ctx(output);
    ctx.global.config_path = m_config.string();
    CLI::App app;
    agent::register_all_commands(app, ctx);
    std::vector<const char*> argv{"pve-smokerbak"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return ctx.exit_code;
  }

  static constexpr std::int64_t k_now = 1767323045;  // 2026-01-02T03:04:05Z
  fs::path m_dir, m_config;
  std::ostringstream m_out, m_err;
};

TEST_F(ClockOverride, StatusJudgesAgesAtTheOverriddenTime) {
  ::setenv("PVE_SMOKERBAK_NOW", "2026-01-02T03:04:05Z", 1);
  ASSERT_EQ(run({"status", "--json"}), 0) << m_err.str();
  const auto j = nlohmann::json::parse(m_out.str());
  EXPECT_EQ(j["generated_at"], "2026-01-02T03:04:05Z");
  const auto& mongo = j["targets"][0]["tiers"]["mongo"];
  EXPECT_EQ(mongo["last_success_age_s"], 3600);
  EXPECT_EQ(mongo["state"], "ok");
}

TEST_F(ClockOverride, StatusAndListRefuseAnOverrideThatDoesNotParse) {
  ::setenv("PVE_SMOKERBAK_NOW", "yesterday", 1);
  for (const char* command : {"status", "list"}) {
    EXPECT_EQ(run({command}), 2) << command;
    EXPECT_NE(m_err.str().find("PVE_SMOKERBAK_NOW"), std::string::npos) << m_err.str();
    EXPECT_TRUE(m_out.str().empty()) << m_out.str();
  }
}

TEST_F(ClockOverride, ListRunsUnderAValidOverride) {
  ::setenv("PVE_SMOKERBAK_NOW", "1767323045", 1);
  EXPECT_EQ(run({"list", "--json"}), 0) << m_err.str();
  EXPECT_EQ(nlohmann::json::parse(m_out.str()), nlohmann::json::array());
}

}  // namespace
