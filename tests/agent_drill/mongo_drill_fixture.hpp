#pragma once

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "agent/config/config_loader.hpp"
#include "agent/drill/drill_context.hpp"
#include "agent/mongo/mongo_tier.hpp"
#include "tests/agent_mongo/run_context_util.hpp"
#include "tests/fake_mongo/fake_mongo_paths.hpp"
#include "tests/sshd_fixture/sshd_fixture.hpp"
#include "tests/support/outcome_text.hpp"

// A real sshd on 127.0.0.1 whose PATH holds the stand-in mongodump, mongorestore and mongosh
// (node), a configuration with a mongo tier and a mongo drill, and one valid backup made by the
// real tier: what the mongo drill tests and the coverage tests start from.
namespace testing_support {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool have_node() { return std::system("command -v node >/dev/null 2>&1") == 0; }

class MongoDrillFixture : public ::testing::Test {
 protected:
  static constexpr const char* k_password = "drill-pw-5521";

  void SetUp() override {
    if (!m_sshd.unavailable().empty()) GTEST_SKIP() << m_sshd.unavailable();
    if (!have_node()) GTEST_SKIP() << "node (Debian package nodejs) runs the stand-in mongosh";
    const fs::path d = m_sshd.dir();
    m_fake = d / "fake-mongo.d";
    fs::create_directories(m_fake);
    write_fake_config("");
    std::ofstream(d / "mongo-password") << k_password << "\n";
    ::chmod((d / "mongo-password").c_str(), 0600);
    m_backups = d / "backups";
    m_state = d / "state";
  }

  // The stand-ins' settings (tests/fake_mongo/README.md) plus `extra` lines.
  void write_fake_config(const std::string& extra) {
    std::ofstream(m_fake / "config", std::ios::trunc)
        << "password=" << k_password << "\nusername=backup\nauth_db=admin\ndb=smoker\n"
        << extra;
  }

  // The YAML of one target with both a mongo tier and `drill_yaml` (indented by 4 spaces).
  std::string config_yaml(const std::string& drill_yaml) const {
    std::ostringstream y;
    y << "timezone: UTC\n"
      << "state_dir: " << m_state.string() << "\n"
      << "targets:\n"
      << "  - name: prod-cloud\n"
      << "    vmid: 106\n"
      << "    mongo:\n"
      << "      ssh:\n"
      << "        host: 127.0.0.1\n"
      << "        port: " << m_sshd.port() << "\n"
      << "        user: " << m_sshd.user() << "\n"
      << "        identity_file: " << m_sshd.identity_file().string() << "\n"
      << "        known_hosts: " << m_sshd.known_hosts().string() << "\n"
      << "        io_timeout_s: 20\n"
      << "      command: \"env FAKE_MONGO_DIR=" << m_fake.string() << "\"\n"
      << "      database: smoker\n"
      << "      username: backup\n"
      << "      auth_db: admin\n"
      << "      password_file: " << (m_sshd.dir() / "mongo-password").string() << "\n"
      << "      backup_dir: " << m_backups.string() << "\n"
      << drill_yaml;
    return y.str();
  }

  // Loads `yaml` as the configuration (every test changes the drill section).
  const agent::Config& load(const std::string& yaml) {
    const fs::path file = m_sshd.dir() / "config.yaml";
    std::ofstream(file, std::ios::trunc) << yaml;
    auto loaded = agent::load_config_file(file);
    if (!loaded) {
      std::string all;
      for (const auto& d : loaded.error()) all += d.to_string() + "\n";
      ADD_FAILURE() << all;
      return m_config;
    }
    m_config = std::move(loaded->config);
    return m_config;
  }

  // One valid backup made by the real mongo tier.
  std::string make_backup(const std::string& run_id = "20261126T010000Z") {
    agent::mongo::MongoTier tier(
        m_config, [](const remote::SshOptions& o) { return remote::connect_ssh(o); });
    const auto rc = run_context(m_config, run_id, std::chrono::system_clock::now());
    const auto out = tier.begin(m_config.targets.front(), rc)->backup();
    EXPECT_EQ(out.state, agent::TierState::ok) << why(out);
    return out.backup_id;
  }

  agent::drill::DrillContext context(const std::string& drill_id = "20261201T020000Z") const {
    agent::drill::DrillContext ctx{.config = m_config,
                                   .drill_id = drill_id,
                                   .started_at = 1796090400,
                                   .run_id = "",
                                   .dry_run = false,
                                   .steady = [] { return std::chrono::steady_clock::now(); },
                                   .progress = {}};
    return ctx;
  }

  // Names of the databases in the stand-in server's state (directories).
  std::vector<std::string> state_databases(const std::string& server = "state") const {
    std::vector<std::string> out;
    if (!fs::exists(m_fake / server)) return out;
    for (const auto& e : fs::directory_iterator(m_fake / server)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  SshdFixture m_sshd{{fake_mongo::k_fake_mongo_bin_dir}};
  fs::path m_fake, m_backups, m_state;
  agent::Config m_config;
};

inline agent::mongo::SessionFactory real_ssh() {
  return [](const remote::SshOptions& o) { return remote::connect_ssh(o); };
}

}  // namespace testing_support
