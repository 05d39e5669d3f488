// `drill --from offsite` on the worst day: a mongo backup made by the real tier (real sshd, the
// stand-in mongodump) is uploaded by the real off-site tier to the radosgw of the s3_server
// fixture, the local dump is deleted, and the drill fetches, decrypts, validates and restores
// the off-site copy (the stand-in mongorestore/mongosh) through the command and the wiring
// the program uses. A wrong identity fails the drill with a clear message and leaves nothing.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <sstream>

#include "age/key_files.hpp"
#include "age/keys.hpp"
#include "agent/cli/wiring.hpp"
#include "agent/core/clock.hpp"
#include "agent/drill/drill_command.hpp"
#include "agent/offsite/offsite_tier.hpp"
#include "agent/tier/drill_record.hpp"
#include "agent/tier/offsite_receipt.hpp"
#include "tests/agent_drill/mongo_drill_fixture.hpp"
#include "tests/s3/s3_test_util.hpp"

namespace {

namespace fs = std::filesystem;
using agent::TierName;
using testing_support::slurp;

class OffsiteDrill : public s3::testing::S3ServerTest {
 protected:
  void SetUp() override {
    S3ServerTest::SetUp();
    if (IsSkipped()) return;
    if (!m_sshd.unavailable().empty()) GTEST_SKIP() << m_sshd.unavailable();
    if (!testing_support::have_node()) GTEST_SKIP() << "node runs the stand-in mongosh";
    const fs::path d = m_sshd.dir();
    m_fake = d / "fake-mongo.d";
    fs::create_directories(m_fake);
    std::ofstream(m_fake / "config")
        << "password=" << k_password << "\nusername=backup\nauth_db=admin\ndb=smoker\n";
    std::ofstream(d / "mongo-password") << k_password << "\n";
    ::chmod((d / "mongo-password").c_str(), 0600);
    m_backups = d / "backups";
    m_state = d / "state";
    load_config();
    if (HasFailure()) return;

    auto id = age::Identity::generate();
    ASSERT_TRUE(id);
    m_identity_file = write_identity(*id, "identity.txt");
    m_bucket = new_bucket(true, true);
    agent::OffsiteDestination dest;
    dest.name = "rgw";
    dest.bucket = m_bucket->options().bucket;
    dest.endpoint = server.https_endpoint;
    dest.prefix = "pve1/";
    dest.recipients = {id->recipient().to_string()};
    dest.lock = agent::OffsiteLock::governance;  // the fixture's cleanup may bypass it
    m_config.offsite.destinations.push_back(dest);

    const TestServer srv = server;
    m_wiring.offsite.clients = [srv](const agent::OffsiteDestination& dd) {
      return s3::Client::create(s3::testing::https_options(srv, dd.bucket));
    };
  }

  void load_config() {
    std::ostringstream y;
    y << "timezone: UTC\nstate_dir: " << m_state.string() << "\ntargets:\n"
      << "  - name: prod-cloud\n    vmid: 106\n    mongo:\n      ssh:\n"
      << "        host: 127.0.0.1\n        port: " << m_sshd.port() << "\n"
      << "        user: " << m_sshd.user() << "\n"
      << "        identity_file: " << m_sshd.identity_file().string() << "\n"
      << "        known_hosts: " << m_sshd.known_hosts().string() << "\n"
      << "        io_timeout_s: 20\n"
      << "      command: \"env FAKE_MONGO_DIR=" << m_fake.string() << "\"\n"
      << "      database: smoker\n      username: backup\n      auth_db: admin\n"
      << "      password_file: " << (m_sshd.dir() / "mongo-password").string() << "\n"
      << "      backup_dir: " << m_backups.string() << "\n"
      << "    drill:\n      mongo: {}\n";
    const fs::path file = m_sshd.dir() / "config.yaml";
    std::ofstream(file, std::ios::trunc) << y.str();
    auto loaded = agent::load_config_file(file);
    ASSERT_TRUE(loaded);
    m_config = std::move(loaded->config);
  }

  fs::path write_identity(const age::Identity& id, const std::string& name) {
    const fs::path p = m_sshd.dir() / name;
    std::ofstream(p) << age::format_identity_file(id, "2026-12-03T08:09:08Z").view();
    ::chmod(p.c_str(), 0600);
    return p;
  }

  // A backup by the real mongo tier, uploaded by the real off-site tier; then the local dump
  // is gone (the worst day: only the off-site copy is left).
  std::string backup_upload_and_lose_the_local_dump() {
    agent::mongo::MongoTier mongo(m_config, testing_support::real_ssh());
    const auto rc = testing_support::run_context(m_config, "20261126T010000Z",
                                                 std::chrono::system_clock::now());
    const auto made = mongo.begin(m_config.targets.front(), rc)->backup();
    EXPECT_EQ(made.state, agent::TierState::ok) << testing_support::why(made);
    agent::offsite::OffsiteTier offsite(m_config, m_wiring.offsite);
    const auto up = offsite.begin(m_config.targets.front(), rc)->backup();
    EXPECT_EQ(up.state, agent::TierState::ok) << testing_support::why(up);
    EXPECT_TRUE(
        agent::read_offsite_receipts(m_state, "prod-cloud", TierName::mongo, made.backup_id));
    fs::remove_all(m_backups);
    return made.backup_id;
  }

  int drill(const fs::path& identity, std::string& err, const std::string& tier = "mongo") {
    agent::drill::DrillCommandOptions o;
    o.tier = tier;
    o.from.name = "offsite";
    o.from.identity = identity;
    const agent::drill::DrillDeps deps = agent::make_drill_deps(m_config, m_clock, m_wiring);
    std::ostringstream out, errs;
    agent::StreamOutput output(out, errs);
    const int rc = agent::drill::drill_command(m_config, o, deps, 1796090400, output);
    err = errs.str() + out.str();
    return rc;
  }

  // Nothing of a fetched copy is left under state_dir.
  std::vector<std::string> leftovers() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(m_state)) {
      const std::string s = e.path().string();
      if (s.find("drill-offsite") != std::string::npos || s.find(".archive") != std::string::npos)
        out.push_back(s);
    }
    return out;
  }

  using TestServer = s3::testing::TestServer;
  static constexpr const char* k_password = "drill-pw-5521";
  testing_support::SshdFixture m_sshd{{fake_mongo::k_fake_mongo_bin_dir}};
  fs::path m_fake, m_backups, m_state, m_identity_file;
  agent::Config m_config;
  agent::Wiring m_wiring;
  agent::SystemClock m_clock;
  std::unique_ptr<s3::Client> m_bucket;
};

TEST_F(OffsiteDrill, RestoresTheOffsiteCopyWhenTheLocalDumpIsGoneAndTimesTheFetch) {
  const std::string id = backup_upload_and_lose_the_local_dump();
  // What a killed drill left behind (its process is gone: above the kernel's pid_max).
  fs::create_directories(m_state / "drill-offsite.999999999.AbC123" / id);
  std::string text;
  ASSERT_EQ(drill(m_identity_file, text), 0) << text;
  const auto history = agent::load_drill_history(m_state, "prod-cloud", TierName::mongo);
  ASSERT_EQ(history.size(), 1u);
  const auto& r = history.back();
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.source, "offsite");
  EXPECT_EQ(r.backup_id, id);
  ASSERT_TRUE(r.step_seconds("fetch"));
  EXPECT_GT(*r.step_seconds("fetch"), 0.0);
  EXPECT_GE(r.rto_s, *r.step_seconds("fetch"));
  ASSERT_FALSE(r.verified.empty());
  EXPECT_NE(r.verified[0].find("every count matches"), std::string::npos) << r.verified[0];
  EXPECT_NE(slurp(m_fake / "restored").find("smokerbak_drill_"), std::string::npos);
  EXPECT_TRUE(leftovers().empty()) << leftovers().front();
  EXPECT_FALSE(fs::exists(m_backups / id));  // the drill does not put it back in backup_dir
}

TEST_F(OffsiteDrill, AWrongIdentityFailsTheDrillClearlyAndLeavesNothing) {
  backup_upload_and_lose_the_local_dump();
  auto other = age::Identity::generate();
  ASSERT_TRUE(other);
  const fs::path wrong = write_identity(*other, "other-identity.txt");
  std::string text;
  EXPECT_EQ(drill(wrong, text), 1) << text;
  const auto history = agent::load_drill_history(m_state, "prod-cloud", TierName::mongo);
  ASSERT_EQ(history.size(), 1u);
  const auto& r = history.back();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.source, "offsite");
  EXPECT_EQ(r.error_kind, agent::TierError::Kind::access);
  EXPECT_NE(r.error.find("identity"), std::string::npos) << r.error;
  EXPECT_NE(text.find("identity"), std::string::npos) << text;
  EXPECT_TRUE(leftovers().empty()) << leftovers().front();
  EXPECT_FALSE(fs::exists(m_fake / "restored"));  // nothing was restored
}

TEST_F(OffsiteDrill, FromOffsiteWithoutAnIdentityIsAUsageError) {
  std::string text;
  EXPECT_EQ(drill("", text), 2);
  EXPECT_NE(text.find("--identity FILE"), std::string::npos) << text;
}

TEST_F(OffsiteDrill, AVzdumpDrillFromOffsiteIsRefusedWithWhatToDoInstead) {
  std::string text;
  EXPECT_EQ(drill(m_identity_file, text, "vzdump"), 2);
  EXPECT_NE(text.find("needs the archive on a Proxmox storage"), std::string::npos) << text;
  EXPECT_NE(text.find("offsite fetch"), std::string::npos) << text;
  EXPECT_NE(text.find("--backup"), std::string::npos) << text;
}

}  // namespace
