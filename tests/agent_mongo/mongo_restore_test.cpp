// `restore mongo` and `export` in-process through their CLI registrars, against a real sshd and
// the stand-in mongorestore, with a real YAML configuration file.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <iostream>

#include "agent/cli/command_context.hpp"
#include "agent/config/config_loader.hpp"
#include "agent/core/human_format.hpp"
#include "agent/core/log.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/mongo/mongo_tier.hpp"
#include "tests/agent_mongo/run_context_util.hpp"
#include "tests/fake_mongo/fake_mongo_paths.hpp"
#include "tests/sshd_fixture/sshd_fixture.hpp"
#include "tests/support/outcome_text.hpp"

namespace {
namespace fs = std::filesystem;

constexpr const char* k_password = "restore-pw-7781";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class MongoRestore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!m_sshd.unavailable().empty()) GTEST_SKIP() << m_sshd.unavailable();
    const fs::path d = m_sshd.dir();
    m_fake = d / "fake-mongo.d";
    fs::create_directories(m_fake);
    std::ofstream(m_fake / "config") << "password=" << k_password << "\n";
    std::ofstream(d / "mongo-password") << k_password << "\n";
    ::chmod((d / "mongo-password").c_str(), 0600);
    m_backups = d / "backups";
    m_config_file = d / "config.yaml";
    std::ofstream(m_config_file) << "timezone: UTC\n"
                                 << "state_dir: " << (d / "state").string() << "\n"
                                 << "targets:\n"
                                 << "  - name: prod-cloud\n"
                                 << "    vmid: 106\n"
                                 << "    mongo:\n"
                                 << "      ssh:\n"
                                 << "        host: 127.0.0.1\n"
                                 << "        port: " << m_sshd.port() << "\n"
                                 << "        user: " << m_sshd.user() << "\n"
                                 << "        identity_file: " << m_sshd.identity_file().string()
                                 << "\n"
                                 << "        known_hosts: " << m_sshd.known_hosts().string() << "\n"
                                 << "        io_timeout_s: 10\n"
                                 << "      command: \"env FAKE_MONGO_DIR=" << m_fake.string()
                                 << "\"\n"
                                 << "      database: smoker\n"
                                 << "      username: backup\n"
                                 << "      auth_db: admin\n"
                                 << "      password_file: " << (d / "mongo-password").string()
                                 << "\n"
                                 << "      backup_dir: " << m_backups.string() << "\n";
  }

  // Runs `pve-smokerbak ARGS…` through the mongo registrars (the production wiring: a real
  // SSH connection to the fixture); returns the exit code.
  int run(std::vector<std::string> args) {
    CLI::App app;
    agent::StreamOutput output(std::cout, std::cerr);
    agent::CommandContext ctx(output);
    ctx.global.config_path = m_config_file.string();
    agent::register_mongo_commands(app, ctx);
    std::vector<const char*> argv{"pve-smokerbak"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return ctx.exit_code;
  }

  // Makes one valid backup with the real tier.
  std::string make_backup() {
    auto loaded = agent::load_config_file(m_config_file);
    EXPECT_TRUE(loaded);
    m_loaded = std::move(loaded->config);
    agent::mongo::MongoTier tier(
        m_loaded, [](const remote::SshOptions& o) { return remote::connect_ssh(o); });
    const auto rc = testing_support::run_context(m_loaded, "20261126T010000Z",
                                                 std::chrono::system_clock::now());
    const auto out = tier.begin(m_loaded.targets.front(), rc)->backup();
    EXPECT_EQ(out.state, agent::TierState::ok) << testing_support::why(out);
    return out.backup_id;
  }

  testing_support::SshdFixture m_sshd{{fake_mongo::k_fake_mongo_bin_dir}};
  fs::path m_fake, m_backups, m_config_file;
  agent::Config m_loaded;
};

TEST_F(MongoRestore, IntoDbRestoresAllCollectionsIntoScratchDatabase) {
  make_backup();
  ASSERT_EQ(run({"restore", "mongo", "--into-db", "verify_smoker"}), 0);
  const auto restored = slurp(m_fake / "restored");
  EXPECT_NE(restored.find("verify_smoker."), std::string::npos) << restored;
  EXPECT_EQ(restored.find("\tsmoker."), std::string::npos) << restored;
  const auto argv = slurp(m_fake / "mongorestore.last");
  EXPECT_NE(argv.find("--nsTo=verify_smoker.*"), std::string::npos) << argv;
  EXPECT_EQ(argv.find(k_password), std::string::npos);
  EXPECT_NE(slurp(m_backups / "restore.log").find("finished RESTORE"), std::string::npos);
}

TEST_F(MongoRestore, LogsProgressSummariesOfTheCheckAndTheUpload) {
  agent::setup_logging("info");
  const std::string id = make_backup();
  const auto m = agent::mongo::read_manifest(m_backups / id / "manifest.json");
  ASSERT_TRUE(m) << m.error();
  testing::internal::CaptureStderr();
  const int rc = run({"restore", "mongo", "--into-db", "verify_smoker"});
  const std::string err = testing::internal::GetCapturedStderr();
  ASSERT_EQ(rc, 0) << err;
  const std::string size = agent::human_bytes(m->size);
  EXPECT_NE(err.find("mongo: validate " + id + ": read, " + size + " in "), std::string::npos)
      << err;
  EXPECT_NE(err.find("mongo: restore upload of " + id + ": sent, " + size + " in "),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find(k_password), std::string::npos);
}

TEST_F(MongoRestore, DryRunSendsNothing) {
  make_backup();
  testing::internal::CaptureStdout();
  ASSERT_EQ(run({"restore", "mongo", "--backup", "latest", "--dry-run"}), 0);
  const auto out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("mongorestore --archive --gzip"), std::string::npos) << out;
  EXPECT_EQ(out.find(k_password), std::string::npos);
  EXPECT_FALSE(fs::exists(m_fake / "restored"));
}

TEST_F(MongoRestore, RefusesADamagedArchive) {
  const auto id = make_backup();
  {
    std::fstream f(m_backups / id / "smoker.archive.gz",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x5a');
  }
  EXPECT_EQ(run({"restore", "mongo", "--backup", id}), 1);
  EXPECT_FALSE(fs::exists(m_fake / "restored"));
}

TEST_F(MongoRestore, FailedMongorestoreExitsOne) {
  make_backup();
  std::ofstream(m_fake / "config", std::ios::app) << "restore_fault=fail\n";
  EXPECT_EQ(run({"restore", "mongo"}), 1);
}

TEST_F(MongoRestore, UnknownBackupIsAFailure) {
  EXPECT_EQ(run({"restore", "mongo", "--backup", "backup-19990101-000000"}), 1);
}

TEST_F(MongoRestore, ExportWritesDirectoryLayout) {
  const auto id = make_backup();
  const fs::path out = m_sshd.dir() / "export";
  ASSERT_EQ(run({"export", "--target", "prod-cloud", "--backup", id, out.string()}), 0);
  bool has_bson = false, has_meta = false;
  for (const auto& e : fs::directory_iterator(out / "smoker")) {
    const auto name = e.path().filename().string();
    has_bson |= name.size() > 8 && name.substr(name.size() - 8) == ".bson.gz";
    has_meta |= name.find(".metadata.json.gz") != std::string::npos;
  }
  EXPECT_TRUE(has_bson);
  EXPECT_TRUE(has_meta);
}

TEST_F(MongoRestore, ExportOfUnknownTargetIsAUsageError) {
  EXPECT_EQ(run({"export", "--target", "nope", "--backup", "latest", "/tmp/x"}), 2);
}

// mongo.oplog: a whole-instance dump to one point in time, end to end: the config, the dump's
// arguments, the archive's oplog namespace counted against mongodump's "dumped N oplog entries",
// and a restore that replays it.
TEST_F(MongoRestore, OplogBackupIsAWholeInstanceDumpRestoredWithOplogReplay) {
  {
    std::string text = slurp(m_config_file);
    const std::string db = "      database: smoker\n";
    text.replace(text.find(db), db.size(), "      oplog: true\n");
    std::ofstream(m_config_file) << text;
  }
  const auto id = make_backup();
  ASSERT_FALSE(id.empty());
  const auto dump_argv = slurp(m_fake / "mongodump.last");
  EXPECT_NE(dump_argv.find("--oplog"), std::string::npos) << dump_argv;
  EXPECT_EQ(dump_argv.find("--db"), std::string::npos) << dump_argv;
  auto m = agent::mongo::read_manifest(m_backups / id / "manifest.json");
  ASSERT_TRUE(m) << m.error();
  EXPECT_TRUE(m->oplog);
  EXPECT_EQ(m->database, "");
  EXPECT_EQ(m->archive_file, "instance.archive.gz");
  bool oplog_counted = false;
  for (const auto& c : m->collections) {
    if (c.ns != ".oplog") continue;
    oplog_counted = true;
    EXPECT_EQ(c.log_documents, std::optional<std::uint64_t>(20));
    EXPECT_EQ(c.archive_documents, std::optional<std::uint64_t>(20));
  }
  EXPECT_TRUE(oplog_counted);

  // The whole instance cannot be renamed while replaying.
  EXPECT_EQ(run({"restore", "mongo", "--into-db", "scratch"}), 2);
  EXPECT_FALSE(fs::exists(m_fake / "restored"));
  ASSERT_EQ(run({"restore", "mongo"}), 0);
  const auto restore_argv = slurp(m_fake / "mongorestore.last");
  EXPECT_NE(restore_argv.find("--oplogReplay"), std::string::npos) << restore_argv;
  EXPECT_EQ(restore_argv.find("--nsInclude"), std::string::npos) << restore_argv;
  EXPECT_NE(slurp(m_fake / "restored").find("oplog_replay\t20"), std::string::npos);
}

TEST_F(MongoRestore, OplogOnAServerWithoutOneFailsTheRunWithTheReason) {
  std::string text = slurp(m_config_file);
  const std::string db = "      database: smoker\n";
  text.replace(text.find(db), db.size(), "      oplog: true\n");
  std::ofstream(m_config_file) << text;
  std::ofstream(m_fake / "config", std::ios::app) << "oplog_entries=0\n";
  auto loaded = agent::load_config_file(m_config_file);
  ASSERT_TRUE(loaded);
  m_loaded = std::move(loaded->config);
  agent::mongo::MongoTier tier(m_loaded,
                               [](const remote::SshOptions& o) { return remote::connect_ssh(o); });
  const auto rc = testing_support::run_context(m_loaded, "r", std::chrono::system_clock::now());
  const auto out = tier.begin(m_loaded.targets.front(), rc)->backup();
  // The stand-in then writes no oplog namespace, as mongodump on a standalone server would not.
  ASSERT_EQ(out.state, agent::TierState::failed) << testing_support::why(out);
  EXPECT_NE(testing_support::why(out).find("holds no oplog"), std::string::npos)
      << testing_support::why(out);
}

}  // namespace
