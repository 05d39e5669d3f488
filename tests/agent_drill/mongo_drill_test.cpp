// The mongo drill against a real sshd and the stand-in mongorestore/mongosh (whose shared state
// is a small in-file MongoDB, tests/fake_mongo/fake_state.hpp): namespaces mapped, counts and
// index names compared, a wrong count fails, production databases never touched, cleanup after
// success, failure and a killed drill.
#include <gtest/gtest.h>

#include "agent/drill/mongo_drill.hpp"
#include "tests/agent_drill/mongo_drill_fixture.hpp"

namespace {

using agent::TierError;
using agent::drill::local_mongo_source;
using agent::drill::run_mongo_drill;
using testing_support::real_ssh;
using testing_support::slurp;
namespace fs = std::filesystem;

constexpr const char* k_drill = "    drill:\n      mongo: {}\n";
const std::string k_scratch = "smokerbak_drill_20261201T020000Z_smoker";

std::string steps_of(const agent::DrillRecord& r) {
  std::string out;
  for (const auto& s : r.steps) out += (out.empty() ? "" : ",") + s.name;
  return out;
}

class MongoDrill : public testing_support::MongoDrillFixture {
 protected:
  agent::drill::DrillOutcome drill(const std::string& backup = "") {
    auto source = local_mongo_source();
    return run_mongo_drill(context(), m_config.targets.front(), real_ssh(), *source, backup);
  }
};

TEST_F(MongoDrill, RestoresIntoScratchDatabasesComparesAndDropsThem) {
  load(config_yaml(k_drill));
  const std::string id = make_backup();
  const auto out = drill();
  const auto& r = out.record;
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.backup_id, id);
  EXPECT_EQ(steps_of(r), "fetch,restore,checks,cleanup");
  EXPECT_GT(r.bytes, 0u);
  EXPECT_GT(r.rto_s, 0.0);
  ASSERT_GE(r.verified.size(), 2u);
  EXPECT_NE(r.verified[0].find("5 collection(s), 4445 documents: every count matches"),
            std::string::npos)
      << r.verified[0];
  EXPECT_NE(r.verified[1].find("7 index name(s) match"), std::string::npos) << r.verified[1];

  // mongorestore was told to rename every namespace of the dump into the scratch database.
  const auto argv = slurp(m_fake / "mongorestore.last");
  EXPECT_NE(argv.find("--nsInclude=smoker.*"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--nsFrom=smoker.*"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--nsTo=" + k_scratch + ".*"), std::string::npos) << argv;
  EXPECT_EQ(argv.find("--oplogReplay"), std::string::npos);
  EXPECT_EQ(argv.find(k_password), std::string::npos);
  // What it restored went there and nowhere else; then the copy was dropped again.
  const auto restored = slurp(m_fake / "restored");
  EXPECT_NE(restored.find(k_scratch + ".temps\t4000"), std::string::npos) << restored;
  EXPECT_EQ(restored.find("\nsmoker."), std::string::npos) << restored;
  EXPECT_FALSE(fs::exists(m_fake / "production-writes")) << slurp(m_fake / "production-writes");
  EXPECT_TRUE(state_databases().empty());
  EXPECT_FALSE(agent::read_active_drill(m_state, "prod-cloud", agent::TierName::mongo));
  // The password reached the shell on stdin only.
  EXPECT_EQ(slurp(m_fake / "mongosh.last").find(k_password), std::string::npos);
}

TEST_F(MongoDrill, AWrongCountFailsTheDrillAndTheCopyIsStillDropped) {
  load(config_yaml(k_drill));
  make_backup();
  write_fake_config("restore_fault=lose_document\n");
  const auto r = drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::invalid);
  EXPECT_NE(r.error.find(k_scratch + ".temps has 3999 documents, the backup 4000"),
            std::string::npos)
      << r.error;
  EXPECT_EQ(steps_of(r), "fetch,restore,checks,cleanup");
  EXPECT_TRUE(state_databases().empty());
}

TEST_F(MongoDrill, AMissingIndexFailsTheDrill) {
  load(config_yaml(k_drill));
  make_backup();
  write_fake_config("restore_fault=lose_index\n");
  const auto r = drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.find(k_scratch + ".temps lacks index ts_1"), std::string::npos) << r.error;
}

TEST_F(MongoDrill, RefusesADatabaseWithTheScratchNameThatIsNotADrillCopy) {
  load(config_yaml(k_drill));
  make_backup();
  // Someone's data under the name the drill would use: no marker collection.
  fs::create_directories(m_fake / "state" / k_scratch);
  std::ofstream(m_fake / "state" / k_scratch / "orders.jsonl") << "{\"_id\":1}\n";
  const auto r = drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::refused);
  EXPECT_NE(r.error.find("refusing to restore into " + k_scratch), std::string::npos) << r.error;
  EXPECT_FALSE(fs::exists(m_fake / "restored"));                           // mongorestore never ran
  EXPECT_TRUE(fs::exists(m_fake / "state" / k_scratch / "orders.jsonl"));  // left alone
}

TEST_F(MongoDrill, AKilledDrillsDatabasesAreDroppedByTheNextOneAndOthersAreLeftAlone) {
  load(config_yaml(k_drill));
  make_backup();
  // A drill killed mid-restore: its database carries this target's marker.
  const std::string killed = "smokerbak_drill_20261101T020000Z_smoker";
  fs::create_directories(m_fake / "state" / killed);
  std::ofstream(m_fake / "state" / killed / "smokerbak_drill.jsonl")
      << R"({"_id":"drill","target":"prod-cloud","drill_id":"20261101T020000Z"})"
      << "\n";
  std::ofstream(m_fake / "state" / killed / "temps.jsonl") << "{\"_id\":1}\n";
  // Another target's drill copy, and a database that only looks like one.
  const std::string other = "smokerbak_drill_20261101T020000Z_billing";
  fs::create_directories(m_fake / "state" / other);
  std::ofstream(m_fake / "state" / other / "smokerbak_drill.jsonl")
      << R"({"_id":"drill","target":"billing","drill_id":"20261101T020000Z"})"
      << "\n";
  const std::string lookalike = "smokerbak_drill_notes";
  fs::create_directories(m_fake / "state" / lookalike);
  std::ofstream(m_fake / "state" / lookalike / "x.jsonl") << "{\"_id\":1}\n";

  const auto actions =
      agent::drill::clean_mongo_leftovers(m_config.targets.front(), real_ssh(), "");
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0], "dropped " + killed);
  EXPECT_EQ(state_databases(), (std::vector<std::string>{other, lookalike}));

  // The same cleanup runs at the start of every drill.
  fs::create_directories(m_fake / "state" / killed);
  std::ofstream(m_fake / "state" / killed / "smokerbak_drill.jsonl")
      << R"({"_id":"drill","target":"prod-cloud","drill_id":"20261101T020000Z"})"
      << "\n";
  const auto r = drill().record;
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings.front().find("dropped what an interrupted drill left: " + killed),
            std::string::npos);
  EXPECT_EQ(state_databases(), (std::vector<std::string>{other, lookalike}));
}

TEST_F(MongoDrill, OperatorChecksPassAndFailOnTheRestoredDocuments) {
  load(config_yaml(
      "    drill:\n      mongo:\n        checks:\n"
      "          - collection: temps\n"
      "            query: '{\"ts\": {\"$gte\": {\"$date\": \"2023-11-15T00:00:00Z\"}}}'\n"
      "            min_count: 10\n"
      "          - collection: users\n"
      "            query: '{\"verified\": true}'\n"
      "            min_count: 1000\n"));
  make_backup();
  const auto r = drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::invalid);
  // temps: ts = 1700000000000 + i * 15000 ms; 2023-11-15T00:00:00Z = 1700006400000.
  bool temps_ok = false;
  for (const auto& v : r.verified)
    temps_ok |= v.find("check temps") == 0 && v.find(": 3573 documents") != std::string::npos;
  EXPECT_TRUE(temps_ok) << testing::PrintToString(r.verified);
  EXPECT_NE(r.error.find("check users {\"verified\": true} matched"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("at least 1000 expected"), std::string::npos) << r.error;
}

TEST_F(MongoDrill, ScratchServerModeRestoresUnderTheOriginalNamesThereOnly) {
  load(config_yaml("    drill:\n      mongo: {uri: \"mongodb://127.0.0.1:27999\"}\n"));
  make_backup();
  const auto r = drill().record;
  ASSERT_TRUE(r.ok) << r.error;
  const auto argv = slurp(m_fake / "mongorestore.last");
  EXPECT_NE(argv.find("--uri=mongodb://127.0.0.1:27999"), std::string::npos) << argv;
  EXPECT_EQ(argv.find("--nsFrom"), std::string::npos) << argv;
  EXPECT_NE(slurp(m_fake / "restored").find("\nsmoker.temps\t4000"), std::string::npos);
  EXPECT_TRUE(state_databases("state-127.0.0.1_27999").empty());  // dropped again
  EXPECT_TRUE(state_databases().empty());                         // production untouched
  EXPECT_FALSE(fs::exists(m_fake / "production-writes"));
}

TEST_F(MongoDrill, TheLegacyShellWorksToo) {
  load(config_yaml("    drill:\n      mongo: {shell: mongo}\n"));
  make_backup();
  const auto r = drill().record;
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(fs::exists(m_fake / "mongo.last"));
}

TEST_F(MongoDrill, AFailedRestoreIsRefusedAndWhatWasMarkedIsDropped) {
  load(config_yaml(k_drill));
  make_backup();
  write_fake_config("restore_fault=fail\n");
  const auto r = drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::refused);
  EXPECT_NE(r.error.find("not primary"), std::string::npos) << r.error;
  EXPECT_EQ(steps_of(r), "fetch,restore,cleanup");
  EXPECT_TRUE(state_databases().empty());
  EXPECT_FALSE(agent::read_active_drill(m_state, "prod-cloud", agent::TierName::mongo));
}

TEST_F(MongoDrill, ADamagedBackupFailsAtFetchAndNothingIsRestored) {
  load(config_yaml(k_drill));
  const std::string id = make_backup();
  const fs::path archive = m_backups / id / "smoker.archive.gz";
  std::fstream f(archive, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(200);
  f.put('\x55');
  f.close();
  const auto r = drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::invalid);
  EXPECT_EQ(steps_of(r), "fetch");
  EXPECT_FALSE(fs::exists(m_fake / "restored"));
}

TEST_F(MongoDrill, DryRunPlansAndChangesNothing) {
  load(config_yaml(k_drill));
  make_backup();
  auto ctx = context();
  ctx.dry_run = true;
  auto source = local_mongo_source();
  const auto out = run_mongo_drill(ctx, m_config.targets.front(), real_ssh(), *source, "");
  ASSERT_GE(out.plan.size(), 3u);
  EXPECT_NE(out.plan[1].find("database smoker -> " + k_scratch), std::string::npos);
  EXPECT_FALSE(fs::exists(m_fake / "restored"));
  EXPECT_FALSE(fs::exists(m_fake / "mongosh.last"));
}

}  // namespace
