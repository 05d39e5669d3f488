// The vzdump tier on storages without a local file (issue 12): a Proxmox Backup Server storage
// and a backup provider, end to end over real HTTPS against the simulator. On PBS the agent
// never reads an archive: PBS's verify jobs judge it, the listing reports their verdict
// (`verification`, pve-storage PBSPlugin.pm list_volumes), and "none yet" is never a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "agent/cli/wiring.hpp"
#include "agent/core/installation_id.hpp"
#include "agent/vzdump/backup_record.hpp"
#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/owner_tag.hpp"
#include "agent/vzdump/vzdump_config_check.hpp"
#include "agent/vzdump/vzdump_tier.hpp"
#include "policies/local_calendar.hpp"
#include "policies/retention_engine.hpp"

// RunContext grows optional members (journal, ...) that these tests leave at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tests/pvesim/sim_harness.hpp"
#include "tests/support/outcome_text.hpp"

namespace agent {
namespace {

using testing_support::why;
constexpr std::int64_t k_start = pvesim::testing::k_sim_start;
constexpr std::int64_t k_day = pvesim::testing::k_sim_day;

class PbsTierTest : public ::testing::Test {
 protected:
  PbsTierTest() : harness(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    pvesim::StorageSpec pbs;
    pbs.id = "pbs";
    pbs.kind = pvesim::StorageSpec::Kind::pbs;
    pvesim::StorageSpec borg;
    borg.id = "borg";
    borg.kind = pvesim::StorageSpec::Kind::provider;
    borg.provider_type = "borg";
    borg.provider_name = "Borg";
    harness.options.extra_storages = {pbs, borg};
  }

  void start(const std::string& storage = "pbs") {
    auto started = harness.start();
    ASSERT_TRUE(started) << started.error();
    sim = &harness.sim();
    const auto token = pvesim::default_token();
    config.proxmox.api_url = sim->base_url();
    config.proxmox.ca_file = sim->ca_file();
    config.proxmox.token_id = token.token_id;
    config.proxmox.node = "pve1";
    config.proxmox.token_secret.path = harness.write_token_file(token.secret);
    config.state_dir = harness.dir() / "state";
    config.timezone = "UTC";
    TargetConfig target;
    target.name = "prod-cloud";
    target.vmid = 106;
    target.vzdump = VzdumpConfig{};
    target.vzdump->storage = storage;
    config.targets = {target};
  }

  std::unique_ptr<VzdumpTier> make_tier() {
    VzdumpTierOptions tier_options;
    tier_options.first_poll = std::chrono::milliseconds(1);
    tier_options.max_poll = std::chrono::milliseconds(5);
    return std::make_unique<VzdumpTier>(
        config, [this] { return make_api_client(config, clock); }, tier_options);
  }

  RunContext context(std::string run_id) {
    return RunContext{.config = config,
                      .run_id = std::move(run_id),
                      .run_start = std::chrono::system_clock::from_time_t(sim->now())};
  }

  std::string tag(const std::string& run_id) {
    auto id = ensure_installation_id(config.state_dir);
    EXPECT_TRUE(id) << id.error();
    return owner_tag_text(id.value_or(""), "prod-cloud", run_id);
  }

  // The listing as the agent's client sees it (notes: the first line, as PBS's comment).
  std::map<std::string, proxmox::BackupVolume> listing(const std::string& storage = "pbs") {
    auto api = make_api_client(config, clock);
    EXPECT_TRUE(api);
    std::map<std::string, proxmox::BackupVolume> out;
    if (!api) return out;
    auto listed = (*api)->list_backups("pve1", storage, 106);
    EXPECT_TRUE(listed) << listed.error().message;
    if (listed) {
      for (auto& v : *listed) out[v.volid] = v;
    }
    return out;
  }

  static std::string pbs_volid(std::int64_t epoch) {
    char buf[40];
    const std::time_t t = epoch;
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string("pbs:backup/ct/106/") + buf;
  }

  pvesim::testing::SimHarness harness;
  pvesim::Simulator* sim = nullptr;
  Config config;
  SystemClock clock;
};

TEST_F(PbsTierTest, NewSnapshotIsNotYetVerifiedByPbsNeverFailedAndNeverRead) {
  start();
  auto tier = make_tier();
  const auto outcome = tier->begin(config.targets[0], context("R1"))->backup();
  ASSERT_EQ(outcome.state, TierState::ok) << why(outcome);
  EXPECT_EQ(outcome.backup_id, pbs_volid(k_start));
  EXPECT_EQ(outcome.validation, Validation::pending);
  EXPECT_FALSE(outcome.validation_ok.has_value());
  EXPECT_NE(outcome.summary.find("not yet verified by PBS"), std::string::npos) << outcome.summary;
  const auto listed = listing();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(first_line(listed.begin()->second.notes),
            tag("R1") + " \xC2\xB7 keep: daily, weekly, monthly \xC2\xB7 not yet verified by PBS");
  const auto record = read_backup_record(config.state_dir, "prod-cloud", outcome.backup_id);
  ASSERT_TRUE(record);
  EXPECT_EQ(state_of(*record), VerifyState::pbs_pending);
  EXPECT_EQ(record->sha256, "");
  EXPECT_EQ(record->path.rfind("pbs://", 0), 0u) << record->path;
  // The change-detection mode is passed to PBS storages only when configured; here it is not.
  bool posted = false;
  for (const auto& line : sim->request_log()) {
    posted |= line == "POST /api2/json/nodes/pve1/vzdump";
  }
  EXPECT_TRUE(posted);
}

TEST_F(PbsTierTest, PbsVerdictsAreReadAgainEachRunAndAFailedOneTakesNoSlot) {
  start();
  config.retention.keep_daily = 2;
  config.retention.keep_weekly.reset();
  config.retention.keep_monthly.reset();
  auto tier = make_tier();
  std::vector<std::string> made;
  for (int night = 1; night <= 3; ++night) {
    auto run = tier->begin(config.targets[0], context("N" + std::to_string(night)));
    const auto b = run->backup();
    ASSERT_EQ(b.state, TierState::ok) << why(b);
    made.push_back(b.backup_id);
    ASSERT_EQ(run->prune().state, TierState::ok);
    sim->advance(k_day);
  }
  // keep-daily=2 kept nights 2 and 3 and removed night 1 (never as a "failure").
  EXPECT_EQ(sim->volids("pbs"), (std::vector<std::string>{made[1], made[2]}));
  // A verify job now fails night 3 and passes night 2.
  sim->set_verification(made[2], "failed", "UPID:pbs:1:2:3:verify:x:root@pam:");
  sim->set_verification(made[1], "ok", "UPID:pbs:1:2:4:verify:x:root@pam:");
  auto run = tier->begin(config.targets[0], context("N4"));
  const auto b = run->backup();
  ASSERT_EQ(b.state, TierState::warning) << why(b);
  made.push_back(b.backup_id);
  bool warned = false;
  for (const auto& w : b.warnings) {
    warned |= w.find("verify job failed for " + made[2]) != std::string::npos;
  }
  EXPECT_TRUE(warned);
  const auto p = run->prune();
  ASSERT_EQ(p.state, TierState::ok) << why(p);
  // Night 3 failed: no slot, kept as the only evidence; the two slots go to nights 4 and 2.
  EXPECT_EQ(sim->volids("pbs"), (std::vector<std::string>{made[1], made[2], made[3]}));
  const auto listed = listing();
  EXPECT_EQ(first_line(listed.at(made[2]).notes),
            tag("N3") + " \xC2\xB7 keep: evidence (no retention slot) \xC2\xB7 PBS verify FAILED");
  EXPECT_EQ(first_line(listed.at(made[1]).notes),
            tag("N2") + " \xC2\xB7 keep: daily \xC2\xB7 verified by PBS");
}

// Issue 12's data-loss case, for a year: every night a backup to PBS and a prune; verify jobs
// pass most snapshots a day later, fail a few, and leave some unverified. The agent must keep
// exactly what the retention engine keeps (failed snapshots aside, as documented), never
// treat "not yet verified" as a failure, and never delete a snapshot the engine keeps.
TEST_F(PbsTierTest, AYearOfNightsOnPbsLosesNothingAndRetentionMatchesTheEngine) {
  start();
  config.retention.keep_daily = 7;
  config.retention.keep_weekly = 4;
  config.retention.keep_monthly = 12;
  const policies::UtcCalendar utc;
  auto tier = make_tier();
  // The model: ctime -> PBS state ("" none yet, "ok", "failed").
  std::map<std::int64_t, std::string> model;
  constexpr int k_nights = 365;
  const std::set<int> failing = {41, 43, 205};  // verify jobs fail these nights' snapshots
  for (int night = 0; night < k_nights; ++night) {
    const std::int64_t t = k_start + night * k_day;
    ASSERT_EQ(sim->now(), t);
    // Yesterday's verify job: passes every snapshot made before today, except the failing ones
    // and every 10th (left unverified: "none yet").
    if (night > 0) {
      const int prev = night - 1;
      const std::int64_t pt = t - k_day;
      if (model.count(pt) && prev % 10 != 0) {
        const std::string state = failing.count(prev) ? "failed" : "ok";
        sim->set_verification(pbs_volid(pt), state);
        model[pt] = state;
      }
    }
    auto run = tier->begin(config.targets[0], context("N" + std::to_string(night)));
    const auto b = run->backup();
    ASSERT_NE(b.state, TierState::failed) << "night " << night << ": " << why(b);
    ASSERT_EQ(b.backup_id, pbs_volid(t));
    model[t] = "";
    const auto p = run->prune();
    ASSERT_EQ(p.state, TierState::ok) << "night " << night << ": " << why(p);

    // The engine on the model: failed snapshots take no slot; the newest failed one stays.
    std::vector<policies::BackupEntry> entries;
    std::vector<std::int64_t> failed;
    for (const auto& [ctime, state] : model) {
      if (state == "failed") {
        failed.push_back(ctime);
      } else {
        entries.push_back({pbs_volid(ctime), ctime, false});
      }
    }
    const auto marks = policies::mark_backups(entries, config.retention, utc);
    std::vector<std::string> want;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (marks[i].mark == policies::Mark::keep) {
        want.push_back(entries[i].id);
      } else {
        model.erase(entries[i].ctime);
      }
    }
    std::sort(failed.begin(), failed.end());
    for (std::size_t i = 0; i < failed.size(); ++i) {
      if (i + 1 == failed.size()) {
        want.push_back(pbs_volid(failed[i]));
      } else {
        model.erase(failed[i]);
      }
    }
    std::sort(want.begin(), want.end());
    ASSERT_EQ(sim->volids("pbs"), want) << "night " << night;
    sim->advance(k_day);
  }
  // 7 daily + 4 weekly + up to 12 monthly (some coincide) + the failed evidence.
  EXPECT_GE(model.size(), 18u);
  EXPECT_LE(model.size(), 24u);
  EXPECT_EQ(model.count(k_start + 205 * k_day), 1u);  // the newest failed one, as evidence
  EXPECT_EQ(model.count(k_start + 43 * k_day), 0u);   // superseded by it
  // Unverified (every 10th) snapshots were kept by the rules like any other.
  EXPECT_EQ(listing().at(pbs_volid(k_start + 360 * k_day)).verification, std::nullopt);
}

TEST_F(PbsTierTest, BackupProviderArchiveIsNotVerifiableHereAndNotAFailure) {
  start("borg");
  auto tier = make_tier();
  auto run = tier->begin(config.targets[0], context("R1"));
  const auto b = run->backup();
  ASSERT_EQ(b.state, TierState::warning) << why(b);
  EXPECT_EQ(b.validation, Validation::not_verifiable);
  ASSERT_FALSE(b.warnings.empty());
  EXPECT_NE(b.warnings.back().find("backup provider"), std::string::npos) << b.warnings.back();
  // The provider's names are not Proxmox's standard vzdump names: never pruned.
  const auto p = run->prune();
  ASSERT_EQ(p.state, TierState::ok) << why(p);
  EXPECT_EQ(sim->volids("borg").size(), 1u);
}

TEST_F(PbsTierTest, ChangeDetectionModeIsPassedToPbsOnly) {
  start();
  config.targets[0].vzdump->pbs_change_detection_mode = "metadata";
  auto tier = make_tier();
  ASSERT_NE(tier->begin(config.targets[0], context("R1"))->backup().state, TierState::failed);
  bool seen = false;
  for (const auto& r : sim->requests()) {
    if (r.method == "POST" && r.path == "/nodes/pve1/vzdump") {
      const auto it = r.params.find("pbs-change-detection-mode");
      seen = it != r.params.end() && it->second == "metadata";
    }
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace agent

namespace agent {
namespace {

// `config check --api`: the retention vzdump applies comes from vzdump/defaults (storage and
// /etc/vzdump.conf merged; Datastore.Audit suffices), not GET /storage/{id} (which needs
// Datastore.Allocate, absent from the documented minimal token).
class ApiCheckTest : public PbsTierTest {
 protected:
  ConfigFindings api_check() {
    LoadedConfig loaded;
    loaded.config = config;
    ConfigFindings findings;
    vzdump_api_check([this](const Config& c) { return make_api_client(c, clock); })(loaded,
                                                                                    findings);
    return findings;
  }
  static std::string joined(const std::vector<ConfigDiagnostic>& ds) {
    std::string all;
    for (const auto& d : ds) all += d.key_path + ": " + d.message + "\n";
    return all;
  }
};

TEST_F(ApiCheckTest, RetentionFromVzdumpConfIsFoundWithoutDatastoreAllocate) {
  harness.options.vzdump_conf = "prune-backups: keep-last=3\n";
  pvesim::Token minimal("smokerbak@pve!agent", "0123456789abcdef0123456789abcdef",
                        {"VM.Audit", "VM.Backup", "Datastore.Audit", "Datastore.AllocateSpace"});
  harness.options.tokens = {minimal};
  start("local");
  config.proxmox.token_secret.path = harness.write_token_file(minimal.secret);
  const auto f = api_check();
  EXPECT_TRUE(f.errors.empty()) << joined(f.errors);
  const auto all = joined(f.warnings);
  EXPECT_NE(all.find("keep-last=3"), std::string::npos) << all;
  EXPECT_NE(all.find("vzdump/defaults"), std::string::npos) << all;
  for (const auto& line : sim->request_log()) {
    EXPECT_NE(line, "GET /api2/json/storage/local") << "needs Datastore.Allocate";
  }
}

TEST_F(ApiCheckTest, StorageKindsAreNamedWithWhatTheyMeanForVerification) {
  start("borg");
  config.targets[0].vzdump->pbs_change_detection_mode = "metadata";
  auto f = api_check();
  auto all = joined(f.warnings);
  EXPECT_NE(all.find("backup provider"), std::string::npos) << all;
  EXPECT_NE(all.find("never deletes them"), std::string::npos) << all;
  config.targets[0].vzdump->storage = "pbs";
  f = api_check();
  EXPECT_TRUE(f.errors.empty()) << joined(f.errors);
  EXPECT_EQ(joined(f.warnings).find("has no effect"), std::string::npos) << joined(f.warnings);
  config.targets[0].vzdump->storage = "local";
  f = api_check();
  EXPECT_NE(joined(f.warnings).find("pbs_change_detection_mode: --api: has no effect"),
            std::string::npos)
      << joined(f.warnings);
}

TEST_F(ApiCheckTest, AVzdumpDrillWithoutItsPrivilegesIsSaidToBeImpossibleAndWhy) {
  const std::string secret = "0123456789abcdef0123456789abcdef";
  pvesim::Token backup_only("smokerbak@pve!agent", secret,
                            {"VM.Audit", "VM.Backup", "Datastore.Audit"});
  pvesim::Token with_drill_role("smokerbak@pve!drill", secret,
                                {"VM.Audit", "VM.Backup", "Datastore.Audit"},
                                {{"/pool/smokerbak-drill",
                                  {"VM.Allocate", "VM.Audit", "VM.Config.Disk", "VM.Config.Network",
                                   "VM.Config.Options", "VM.PowerMgmt"}},
                                 {"/storage/local", {"Datastore.AllocateSpace"}}});
  harness.options.tokens = {backup_only, with_drill_role};
  start("local");
  config.proxmox.token_secret.path = harness.write_token_file(secret);
  DrillConfig drill;
  drill.vzdump = DrillVzdumpConfig{};
  drill.vzdump->vmid = 9106;
  drill.vzdump->storage = "local";
  drill.vzdump->pool = "smokerbak-drill";
  config.targets[0].drill = drill;

  auto f = api_check();
  auto all = joined(f.warnings);
  EXPECT_NE(all.find("targets[0].drill.vzdump.pool: --api: the vzdump drill is not possible"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("VM.Allocate on /pool/smokerbak-drill"), std::string::npos) << all;
  EXPECT_NE(all.find("VM.PowerMgmt on /pool/smokerbak-drill"), std::string::npos) << all;
  EXPECT_NE(all.find("Datastore.AllocateSpace on /storage/local"), std::string::npos) << all;
  EXPECT_EQ(all.find("VM.Audit on"), std::string::npos) << all;  // held globally

  config.proxmox.token_id = with_drill_role.token_id;
  f = api_check();
  all = joined(f.warnings);
  EXPECT_EQ(all.find("drill"), std::string::npos) << all;
}

}  // namespace
}  // namespace agent
