// The vzdump tier end to end in-process: real HTTPS to the Proxmox simulator on 127.0.0.1,
// real archives on disk, real verification.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/cli/wiring.hpp"
#include "agent/core/installation_id.hpp"
#include "agent/run/reporter.hpp"
#include "agent/vzdump/backup_record.hpp"
#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/owner_tag.hpp"
#include "agent/vzdump/retention_plan.hpp"
#include "agent/vzdump/vzdump_tier.hpp"

// RunContext grows optional members (journal, ...) that these tests leave at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tests/pvesim/sim_harness.hpp"
#include "tests/support/outcome_text.hpp"

namespace agent {
namespace {

namespace fs = std::filesystem;
using testing_support::why;
constexpr std::int64_t k_start = pvesim::testing::k_sim_start;
constexpr std::int64_t k_day = pvesim::testing::k_sim_day;

class VzdumpTierTest : public ::testing::Test {
 protected:
  VzdumpTierTest()
      : harness(::testing::UnitTest::GetInstance()->current_test_info()->name()),
        options(harness.options) {
    options.archive_bytes = 256 * 1024;
  }

  void start() {
    auto started = harness.start();
    ASSERT_TRUE(started) << started.error();
    sim = &harness.sim();
    const auto token = pvesim::default_token();
    config.proxmox.api_url = sim->base_url();
    config.proxmox.ca_file = sim->ca_file();
    config.proxmox.token_id = token.token_id;
    config.proxmox.node = "pve1";  // the agent runs on the simulator's first node
    write_secret(token.secret);
    config.state_dir = harness.dir() / "state";
    config.timezone = "UTC";
    TargetConfig target;
    target.name = "prod-cloud";
    target.vmid = 106;
    target.vzdump = VzdumpConfig{};
    config.targets = {target};
  }

  void write_secret(const std::string& secret) {
    config.proxmox.token_secret.path = harness.write_token_file(secret);
  }

  std::unique_ptr<VzdumpTier> make_tier() {
    VzdumpTierOptions tier_options;
    tier_options.first_poll = std::chrono::milliseconds(5);
    tier_options.max_poll = std::chrono::milliseconds(20);
    return std::make_unique<VzdumpTier>(
        config, [this] { return make_api_client(config, clock); }, tier_options);
  }

  // One run of `tier` on the target, as the orchestrator drives it.
  TierOutcome backup(Tier& tier, const RunContext& ctx) {
    return tier.begin(config.targets[0], ctx)->backup();
  }
  TierOutcome prune(Tier& tier, const RunContext& ctx) {
    return tier.begin(config.targets[0], ctx)->prune();
  }

  RunContext context(std::string run_id) {
    return RunContext{.config = config,
                      .run_id = std::move(run_id),
                      .run_start = std::chrono::system_clock::from_time_t(sim->now())};
  }

  std::string notes_file(const std::string& volid) const { return notes_file_on("", volid); }
  std::string notes_file_on(const std::string& storage, const std::string& volid) const {
    const auto file = sim->storage_dir(storage) / (volid.substr(volid.rfind('/') + 1) + ".notes");
    std::ifstream in(file);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }

  // This installation's ownership tag for `run_id` (the id is made on the first run, or here
  // for archives seeded before it).
  std::string tag(const std::string& run_id) {
    auto id = ensure_installation_id(config.state_dir);
    EXPECT_TRUE(id) << id.error();
    return owner_tag_text(id.value_or(""), config.targets[0].name, run_id);
  }

  static policies::RetentionPolicy keep_daily(std::int64_t n) {
    policies::RetentionPolicy policy;
    policy.keep_daily = n;
    policy.keep_weekly.reset();
    policy.keep_monthly.reset();
    return policy;
  }

  pvesim::testing::SimHarness harness;
  pvesim::Options& options;
  pvesim::Simulator* sim = nullptr;
  Config config;
  SystemClock clock;
};

TEST_F(VzdumpTierTest, BackupMakesAVerifiedArchiveWithOwnershipNotesAndALocalRecord) {
  start();
  auto tier = make_tier();
  const auto outcome = backup(*tier, context("20260101T010000Z"));
  ASSERT_EQ(outcome.state, TierState::ok) << why(outcome);
  ASSERT_FALSE(outcome.backup_id.empty());
  EXPECT_NE(outcome.summary.find("verified"), std::string::npos) << outcome.summary;
  const auto volids = sim->volids();
  ASSERT_EQ(volids.size(), 1u);
  EXPECT_EQ(volids[0], outcome.backup_id);
  const std::string notes = notes_file(outcome.backup_id);
  EXPECT_EQ(first_line(notes), tag("20260101T010000Z") +
                                   " \xC2\xB7 keep: daily, weekly, monthly "
                                   "\xC2\xB7 verified");
  EXPECT_EQ(rest_lines(notes), "smartsmoker-cloud (pve1)");  // the operator's template
  const auto record = read_backup_record(config.state_dir, "prod-cloud", outcome.backup_id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->verdict, ArchiveVerdict::verified);
  EXPECT_EQ(record->sha256.size(), 64u);
  EXPECT_GT(record->tar_entries, 0u);
}

TEST_F(VzdumpTierTest, FingerprintMismatchStopsTheHandshakeBeforeAnyRequest) {
  start();
  config.proxmox.fingerprint =
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:"
      "DD:EE:FF";
  auto tier = make_tier();
  const auto outcome = backup(*tier, context("R"));
  ASSERT_EQ(outcome.state, TierState::failed);
  EXPECT_NE(why(outcome).find("fingerprint mismatch"), std::string::npos) << why(outcome);
  EXPECT_EQ(outcome.error->kind, TierError::Kind::access);
  EXPECT_NE(why(outcome).find(*config.proxmox.fingerprint), std::string::npos);
  EXPECT_NE(why(outcome).find(sim->leaf_fingerprint()), std::string::npos);
  EXPECT_NE(why(outcome).find("pvenode cert info"), std::string::npos);
  EXPECT_EQ(why(outcome).find(pvesim::default_token().secret), std::string::npos);
  EXPECT_EQ(sim->request_count(), 0u);  // the token never left the agent
}

TEST_F(VzdumpTierTest, CorrectFingerprintPinWorksWithoutTheCaFile) {
  start();
  std::string lower = sim->leaf_fingerprint();
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  config.proxmox.fingerprint = lower;
  config.proxmox.ca_file = harness.dir() / "does-not-exist.pem";
  auto tier = make_tier();
  const auto outcome = backup(*tier, context("R"));
  EXPECT_EQ(outcome.state, TierState::ok) << why(outcome);
}

TEST_F(VzdumpTierTest, WrongTokenSecretIsAnAuthErrorWithoutTheSecret) {
  start();
  write_secret("00000000-0000-0000-0000-000000000000");
  auto tier = make_tier();
  const auto outcome = backup(*tier, context("R"));
  ASSERT_EQ(outcome.state, TierState::failed);
  EXPECT_NE(why(outcome).find("401"), std::string::npos) << why(outcome);
  EXPECT_EQ(outcome.error->kind, TierError::Kind::access);
  EXPECT_NE(why(outcome).find("token"), std::string::npos);
  EXPECT_EQ(why(outcome).find("00000000-0000"), std::string::npos);
}

TEST_F(VzdumpTierTest, TruncatedArchiveFailsTheRunAndIsMarkedInItsNotes) {
  start();
  sim->inject(pvesim::Fault::of(pvesim::Fault::Kind::truncated_archive));
  const auto outcome = backup(*make_tier(), context("R1"));
  ASSERT_EQ(outcome.state, TierState::failed);
  EXPECT_NE(why(outcome).find("failed verification"), std::string::npos) << why(outcome);
  EXPECT_EQ(outcome.error->kind, TierError::Kind::invalid);
  ASSERT_EQ(sim->volids().size(), 1u);  // kept, not deleted
  EXPECT_NE(first_line(notes_file(sim->volids()[0])).find("verify FAILED"), std::string::npos);
}

TEST_F(VzdumpTierTest, FailedArchivesTakeNoRetentionSlotAndOnlyTheNewestStaysAsEvidence) {
  start();
  config.retention = keep_daily(2);
  // Four nights, each a fresh process as the timer runs it; nights 2 and 3 write truncated
  // archives. Prune runs only after a backup that did not fail (run_job's rule).
  std::vector<std::string> made;
  std::vector<TierOutcome> prunes;
  for (int night = 1; night <= 4; ++night) {
    if (night > 1) sim->advance(k_day);
    if (night == 2 || night == 3) {
      sim->inject(pvesim::Fault::of(pvesim::Fault::Kind::truncated_archive));
    }
    auto tier = make_tier();
    const auto ctx = context("N" + std::to_string(night));
    auto run = tier->begin(config.targets[0], ctx);
    const auto outcome = run->backup();
    ASSERT_EQ(outcome.state, night == 2 || night == 3 ? TierState::failed : TierState::ok)
        << night << ": " << why(outcome);
    made.push_back(outcome.backup_id);
    if (night == 4) {
      auto dry = ctx;
      dry.dry_run = true;
      std::ostringstream text, messages;
      StreamOutput output(text, messages);
      TextReporter reporter(output);
      ::testing::internal::CaptureStdout();
      const auto planned = prune(*make_tier(), dry);
      EXPECT_EQ(::testing::internal::GetCapturedStdout(), "") << "tiers return plans, never print";
      ASSERT_TRUE(planned.plan);
      reporter.prune_plan("prod-cloud", TierName::vzdump, *planned.plan);
      const std::string plan = text.str();
      EXPECT_NE(plan.find("keep    " + made[2] +
                          "  verify FAILED, kept as evidence (takes no "
                          "retention slot)"),
                std::string::npos)
          << plan;
      EXPECT_NE(plan.find("remove  " + made[1] + "  verify FAILED, superseded"), std::string::npos)
          << plan;
    }
    if (outcome.state != TierState::failed) prunes.push_back(run->prune());
  }
  ASSERT_EQ(prunes.back().state, TierState::ok) << why(prunes.back());
  // The two daily slots hold the good nights 4 and 1 (not the newer failed 3 and 2); night 3
  // is the newest failed one, kept as evidence; night 2 is superseded and removed.
  std::vector<std::string> expected = {made[0], made[2], made[3]};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sim->volids(), expected);
  EXPECT_EQ(first_line(notes_file(made[0])), tag("N1") + " \xC2\xB7 keep: daily \xC2\xB7 verified");
  EXPECT_EQ(first_line(notes_file(made[2])),
            tag("N3") +
                " \xC2\xB7 keep: evidence (no retention slot) \xC2\xB7 "
                "verify FAILED");
  EXPECT_FALSE(read_backup_record(config.state_dir, "prod-cloud", made[1]));

  auto tier = make_tier();
  const auto listed = tier->list(config.targets[0]);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[1].id, made[2]);
  EXPECT_EQ((*listed)[1].mark, ListMark::keep);
  EXPECT_EQ((*listed)[1].reason, k_reason_failed_evidence);
  EXPECT_EQ((*listed)[1].validation, Validation::failed);
  EXPECT_EQ((*listed)[2].reason, "keep: daily 2/2");
}

TEST_F(VzdumpTierTest, FailedTaskIsReportedWithItsLog) {
  start();
  sim->inject(pvesim::Fault::of(pvesim::Fault::Kind::task_job_errors));
  const auto outcome = backup(*make_tier(), context("R1"));
  ASSERT_EQ(outcome.state, TierState::failed);
  EXPECT_NE(why(outcome).find("job errors"), std::string::npos) << why(outcome);
  EXPECT_EQ(outcome.error->kind, TierError::Kind::refused);
}

TEST_F(VzdumpTierTest, LockedGuestFailsWithTheUnlockCommand) {
  start();
  sim->set_guest_lock(106, "backup");
  auto tier = make_tier();
  const auto outcome = backup(*tier, context("R1"));
  ASSERT_EQ(outcome.state, TierState::failed);
  EXPECT_NE(why(outcome).find("pct unlock 106"), std::string::npos) << why(outcome);
  EXPECT_EQ(outcome.error->kind, TierError::Kind::refused);
  EXPECT_EQ(sim->stats().tasks_started, 0u);
}

TEST_F(VzdumpTierTest, MigratedGuestIsBackedUpOnItsNewNode) {
  options.nodes = {"pve1", "pve2"};
  start();
  options.extra_storages = {pvesim::StorageSpec{}};
  options.extra_storages[0].id = "nfs";
  options.extra_storages[0].shared = true;
  start();
  sim->migrate_guest(106, "pve2");
  config.targets[0].vzdump->storage = "nfs";
  auto tier = make_tier();
  const auto outcome = backup(*tier, context("R1"));
  ASSERT_EQ(outcome.state, TierState::ok) << why(outcome);
  EXPECT_EQ(outcome.validation, Validation::ok);
  EXPECT_NE(rest_lines(notes_file_on("nfs", outcome.backup_id)).find("pve2"), std::string::npos);
}

TEST_F(VzdumpTierTest, ArchiveOnAnotherNodesLocalStorageIsNotVerifiableHereNeverFailed) {
  // pve-storage: a storage without `shared` is a different directory on each node; after a
  // migration the archive lies on pve2, while the agent runs on pve1 (proxmox.node).
  options.nodes = {"pve1", "pve2"};
  start();
  sim->migrate_guest(106, "pve2");
  config.retention = keep_daily(1);
  auto tier = make_tier();
  for (int night = 1; night <= 3; ++night) {
    const auto outcome = backup(*tier, context("R" + std::to_string(night)));
    ASSERT_EQ(outcome.state, TierState::warning) << why(outcome);
    EXPECT_EQ(outcome.validation, Validation::not_verifiable);
    EXPECT_FALSE(outcome.validation_ok.has_value());
    ASSERT_FALSE(outcome.warnings.empty());
    EXPECT_NE(outcome.warnings.back().find("not verifiable here"), std::string::npos)
        << outcome.warnings.back();
    EXPECT_NE(outcome.warnings.back().find("proxmox.node"), std::string::npos);
    EXPECT_NE(first_line(notes_file(outcome.backup_id)).find("not verifiable here"),
              std::string::npos);
    const auto record = read_backup_record(config.state_dir, "prod-cloud", outcome.backup_id);
    ASSERT_TRUE(record);
    EXPECT_EQ(state_of(*record), VerifyState::not_verifiable);
    EXPECT_EQ(record->sha256, "");
    sim->advance(k_day);
  }
  // The retention engine decides alone: keep-daily=1 keeps the newest, and nothing was
  // removed as a "superseded failure" before the policy said so.
  const auto pruned = prune(*tier, context("P"));
  ASSERT_EQ(pruned.state, TierState::ok) << why(pruned);
  EXPECT_EQ(sim->volids().size(), 1u);
}

TEST_F(VzdumpTierTest, ServerWithoutNotesTemplateGetsTheNotesAfterTheBackupAndAWarning) {
  options.pve_version = "7.1-12";
  start();
  auto tier = make_tier();
  const auto outcome = backup(*tier, context("R1"));
  ASSERT_EQ(outcome.state, TierState::warning) << why(outcome);
  ASSERT_EQ(outcome.warnings.size(), 1u);
  EXPECT_NE(outcome.warnings[0].find("notes-template"), std::string::npos) << outcome.warnings[0];
  EXPECT_EQ(sim->stats().tasks_started, 1u);
  EXPECT_EQ(notes_file(outcome.backup_id),
            tag("R1") + " \xC2\xB7 keep: daily, weekly, monthly \xC2\xB7 verified");
}

TEST_F(VzdumpTierTest, PruneAfterBackupReusesTheReadBackListing) {
  start();
  // 2025-12-31: the same ISO week as the new archive, but the last one of its month.
  const auto old = sim->seed_backup(106, k_start - k_day, tag("R0"));
  auto tier = make_tier();
  const auto ctx = context("R1");
  auto run = tier->begin(config.targets[0], ctx);
  ASSERT_EQ(run->backup().state, TierState::ok);
  const auto listings = [&] {
    int n = 0;
    for (const auto& line : sim->request_log()) {
      n += line == "GET /api2/json/nodes/pve1/storage/local/content" ? 1 : 0;
    }
    return n;
  };
  const int after_backup = listings();
  EXPECT_EQ(after_backup, 2);  // find the new archive, read the notes back
  const auto pruned = run->prune();
  ASSERT_EQ(pruned.state, TierState::ok) << why(pruned);
  EXPECT_EQ(listings(), after_backup);
  EXPECT_EQ(pruned.kept_count, 2u);
  EXPECT_EQ(first_line(notes_file(old)),
            tag("R0") + " \xC2\xB7 keep: daily, monthly \xC2\xB7 not verified");
}

TEST_F(VzdumpTierTest, ConflictingProxmoxBackupJobIsWarned) {
  start();
  sim->set_backup_jobs({R"({"id":"backup-nightly","enabled":1,"vmid":"106","storage":"local",)"
                        R"("schedule":"21:00","prune-backups":"keep-last=2"})"});
  auto tier = make_tier();
  const auto outcome = backup(*tier, context("R1"));
  ASSERT_EQ(outcome.state, TierState::warning) << why(outcome);
  ASSERT_FALSE(outcome.warnings.empty());
  EXPECT_NE(outcome.warnings[0].find("backup-nightly"), std::string::npos) << outcome.warnings[0];
  EXPECT_NE(outcome.warnings[0].find("keep-last=2"), std::string::npos);
}

TEST_F(VzdumpTierTest, CleanConflictCheckIsSkippedForAWeekOfNights) {
  start();
  auto conflict_requests = [&] {
    int n = 0;
    for (const auto& line : sim->request_log()) {
      n += line == "GET /api2/json/nodes/pve1/vzdump/defaults" ||
           line == "GET /api2/json/cluster/backup";
    }
    return n;
  };
  ASSERT_EQ(backup(*make_tier(), context("N1")).state, TierState::ok);
  EXPECT_EQ(conflict_requests(), 2);
  for (int night = 2; night <= 7; ++night) {
    sim->advance(k_day);
    ASSERT_EQ(backup(*make_tier(), context("N" + std::to_string(night))).state, TierState::ok);
  }
  EXPECT_EQ(conflict_requests(), 2);  // nights 2-7 trusted night 1's clean check
  sim->advance(k_day);
  ASSERT_EQ(backup(*make_tier(), context("N8")).state, TierState::ok);
  EXPECT_EQ(conflict_requests(), 4);  // a week later: checked again
}

TEST_F(VzdumpTierTest, ConflictWarningsAreCheckedAndRepeatedEveryNight) {
  start();
  sim->set_backup_jobs({R"({"id":"backup-nightly","enabled":1,"vmid":"106","storage":"local",)"
                        R"("schedule":"21:00","prune-backups":"keep-last=2"})"});
  for (int night = 1; night <= 2; ++night) {
    if (night > 1) sim->advance(k_day);
    const auto outcome = backup(*make_tier(), context("N" + std::to_string(night)));
    ASSERT_EQ(outcome.state, TierState::warning) << why(outcome);
    ASSERT_FALSE(outcome.warnings.empty());
    EXPECT_NE(outcome.warnings[0].find("backup-nightly"), std::string::npos) << night;
  }
}

TEST_F(VzdumpTierTest, ArchivesDeletedBehindTheAgentsBackAreWarnedAndTheCheckRunsAgain) {
  start();
  const auto first = backup(*make_tier(), context("N1"));
  ASSERT_EQ(first.state, TierState::ok) << why(first);
  // Someone else removes night 1's archive, and a conflicting backup job appears.
  fs::remove(sim->storage_dir() / first.backup_id.substr(first.backup_id.rfind('/') + 1));
  sim->set_backup_jobs({R"({"id":"backup-nightly","enabled":1,"vmid":"106","storage":"local",)"
                        R"("schedule":"21:00","prune-backups":"keep-last=1"})"});
  sim->advance(k_day);
  const auto outcome = backup(*make_tier(), context("N2"));
  ASSERT_EQ(outcome.state, TierState::warning) << why(outcome);
  ASSERT_EQ(outcome.warnings.size(), 2u);
  EXPECT_NE(outcome.warnings[0].find(first.backup_id), std::string::npos) << outcome.warnings[0];
  EXPECT_NE(outcome.warnings[0].find("did not delete"), std::string::npos);
  EXPECT_NE(outcome.warnings[1].find("backup-nightly"), std::string::npos) << outcome.warnings[1];
  EXPECT_FALSE(read_backup_record(config.state_dir, "prod-cloud", first.backup_id));
}

TEST_F(VzdumpTierTest, PruneRemovesOnlyAgentArchivesBeyondThePolicy) {
  start();
  config.retention = keep_daily(3);
  std::vector<std::string> owned;
  for (int d = 0; d < 6; ++d) {
    owned.push_back(
        sim->seed_backup(106, k_start - (6 - d) * k_day, tag("R" + std::to_string(d)) + "\nops"));
  }
  const auto foreign = sim->seed_backup(106, k_start - 10 * k_day, "manual before upgrade");
  const auto guarded = sim->seed_backup(106, k_start - 9 * k_day, tag("RP"), /*protected=*/true);

  auto tier = make_tier();
  auto ctx = context("R9");
  ctx.dry_run = true;
  const auto plan = prune(*tier, ctx);
  EXPECT_EQ(plan.state, TierState::ok) << why(plan);
  EXPECT_EQ(sim->volids().size(), 8u);  // dry run changed nothing

  const auto outcome = prune(*tier, context("R9"));
  ASSERT_EQ(outcome.state, TierState::ok) << why(outcome);
  std::vector<std::string> expected = {owned[3], owned[4], owned[5], foreign, guarded};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sim->volids(), expected);
  EXPECT_EQ(notes_file(owned[5]), tag("R5") + " \xC2\xB7 keep: daily \xC2\xB7 not verified\nops");
  EXPECT_EQ(notes_file(foreign), "manual before upgrade");
}

TEST_F(VzdumpTierTest, ATaskLogLineNamingAnOlderArchiveNeverMakesItTheNewBackup) {
  start();
  const auto old = sim->seed_backup(106, k_start - k_day, tag("R0"));
  pvesim::Hostile h = pvesim::Hostile::of(pvesim::Hostile::Kind::task_log_lines);
  h.lines = {"INFO: creating vzdump archive '" +
             (sim->storage_dir() / old.substr(old.rfind('/') + 1)).string() + "'"};
  sim->add_hostile(h);
  auto tier = make_tier();
  const auto outcome = backup(*tier, context("20260101T010000Z"));
  ASSERT_EQ(outcome.state, TierState::ok) << why(outcome);
  EXPECT_NE(outcome.backup_id, old);
  const auto made = parse_owner_tag(notes_file(outcome.backup_id));
  ASSERT_TRUE(made.has_value());
  EXPECT_EQ(made->run_id, "20260101T010000Z");
  const auto older = parse_owner_tag(notes_file(old));
  ASSERT_TRUE(older.has_value());
  EXPECT_EQ(older->run_id, "R0") << "the older archive is not taken for the new one";
}

TEST_F(VzdumpTierTest, AFailedDeleteLeavesRemovePendingAndTheNextPruneRetriesIt) {
  start();
  config.retention = keep_daily(1);
  const auto old = sim->seed_backup(106, k_start - 2 * k_day, tag("R0"));
  const auto newer = sim->seed_backup(106, k_start - k_day, tag("R1"));
  pvesim::Fault refuse = pvesim::Fault::of(pvesim::Fault::Kind::http_status);
  refuse.status = 500;
  refuse.reason = "unable to remove the volume";
  refuse.method = "DELETE";
  refuse.path_contains = old.substr(old.rfind('/') + 1);
  sim->inject(refuse);

  const auto first = prune(*make_tier(), context("P1"));
  ASSERT_EQ(first.state, TierState::failed) << why(first);
  EXPECT_EQ(first.error->kind, TierError::Kind::refused);
  EXPECT_NE(why(first).find("remove pending"), std::string::npos) << why(first);
  EXPECT_EQ(sim->volids(), (std::vector<std::string>{old, newer}));
  EXPECT_EQ(first_line(notes_file(old)),
            tag("R0") + " \xC2\xB7 remove pending \xC2\xB7 not verified");
  EXPECT_EQ(first.kept_count, 2u) << "an archive that could not be deleted is still kept";

  sim->advance(k_day);
  const auto second = prune(*make_tier(), context("P2"));
  ASSERT_EQ(second.state, TierState::ok) << why(second);
  EXPECT_EQ(second.removed_count, 1u);
  EXPECT_EQ(sim->volids(), std::vector<std::string>{newer});
}

}  // namespace
}  // namespace agent

namespace agent {
namespace {

TEST_F(VzdumpTierTest, WhatTheOperatorChangedSinceTheListingWinsOverThePlannedDelete) {
  start();
  config.retention = keep_daily(1);
  const auto claimed = sim->seed_backup(106, k_start - 3 * k_day, tag("R0"));
  const auto guarded = sim->seed_backup(106, k_start - 2 * k_day, tag("R1"));
  const auto plain = sim->seed_backup(106, k_start - k_day, tag("R2"));
  auto tier = make_tier();
  const auto ctx = context("R9");
  auto run = tier->begin(config.targets[0], ctx);
  ASSERT_EQ(run->backup().state, TierState::ok);
  // Between the listing backup() read (prune reuses it) and the DELETEs: the operator
  // takes one archive over (new notes) and protects another.
  std::ofstream(sim->storage_dir() / (claimed.substr(claimed.rfind('/') + 1) + ".notes"),
                std::ios::trunc)
      << "keep: before the upgrade";
  sim->set_protected(guarded, true);
  const auto outcome = run->prune();
  ASSERT_EQ(outcome.state, TierState::warning) << why(outcome);
  const auto left = sim->volids();
  EXPECT_NE(std::find(left.begin(), left.end(), claimed), left.end());
  EXPECT_NE(std::find(left.begin(), left.end(), guarded), left.end());
  EXPECT_EQ(std::find(left.begin(), left.end(), plain), left.end()) << "still ours: deleted";
  std::string all;
  for (const auto& w : outcome.warnings) all += w + "\n";
  EXPECT_NE(all.find("no longer carry this installation's tag"), std::string::npos) << all;
  EXPECT_NE(all.find("protected since the listing was read"), std::string::npos) << all;
}

}  // namespace
}  // namespace agent

namespace agent {
namespace {

TEST_F(VzdumpTierTest, OnlyThisInstallationsTargetsStandardArchivesArePrunedLegacyTagsIncluded) {
  start();
  config.retention = keep_daily(1);
  auto seed = [&](int days_ago, const std::string& notes) {
    return sim->seed_backup(106, k_start - days_ago * k_day, notes);
  };
  const auto legacy = seed(9, "prod-cloud smokerbak:R0");  // earlier versions' tag: ours
  const auto other_install = seed(8, owner_tag_text("0123456789ab", "prod-cloud", "R1"));
  const auto other_target = seed(7, tag("R2").replace(tag("R2").find("prod-cloud"), 10, "prod"));
  const auto lookalike = seed(6, "not for smokerbak: keep");
  const auto second_line = seed(5, "manual\n" + tag("R4"));
  // Renamed by the operator (Proxmox's way to keep an archive from pruning): the file keeps
  // its tag in the notes, but its name is no longer the standard one.
  const auto to_rename = seed(4, tag("R5"));
  const auto dir = sim->storage_dir();
  const std::string old_name = to_rename.substr(to_rename.rfind('/') + 1);
  const std::string new_name =
      old_name.substr(0, old_name.find(".tar")) + "-before-upgrade" + ".tar.zst";
  fs::rename(dir / old_name, dir / new_name);
  fs::rename(dir / (old_name + ".notes"), dir / (new_name + ".notes"));
  const auto newest = seed(1, tag("R8"));

  const auto outcome = prune(*make_tier(), context("P1"));
  ASSERT_EQ(outcome.state, TierState::ok) << why(outcome);
  std::vector<std::string> expected = {
      other_install, other_target, lookalike, second_line, "local:backup/" + new_name, newest};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sim->volids(), expected) << "only the legacy-tagged archive is ours and beyond";
  EXPECT_EQ(outcome.removed_count, 1u);
  (void)legacy;
  // Even with prune_foreign the renamed archive stays: only standard names are deleted.
  config.targets[0].vzdump->prune_foreign = true;
  const auto foreign = prune(*make_tier(), context("P2"));
  ASSERT_EQ(foreign.state, TierState::ok) << why(foreign);
  EXPECT_EQ(sim->volids(), (std::vector<std::string>{"local:backup/" + new_name, newest}));
}

}  // namespace
}  // namespace agent

namespace agent {
namespace {

// Issue 11: a task the agent started finishes after the agent was killed. Its archive carries
// the agent's tag and has no local record; the next run adopts it from the journal's
// "task-started" step and reads it before it counts.
TEST_F(VzdumpTierTest, AKilledRunsTaskIsAdoptedAndItsArchiveReadBeforeItCounts) {
  options.task_finish_after_polls = 0;  // the clock decides: the task still runs at first
  options.task_seconds = 30;
  start();
  auto api = make_api_client(config, clock);
  ASSERT_TRUE(api);
  proxmox::VzdumpRequest request;
  request.vmid = 106;
  request.storage = "local";
  request.notes_template = vzdump_notes_template(tag("K1"), "");
  auto upid = (*api)->start_vzdump("pve1", request);  // the killed run's POST
  ASSERT_TRUE(upid) << upid.error().message;
  auto tier = make_tier();
  std::thread clock_mover([this] {
    for (int i = 0; i < 40; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      sim->advance(1);
    }
  });
  const auto said = tier->reconcile(config.targets[0], agent::JournalStep::task_started, *upid);
  clock_mover.join();
  std::string all;
  for (const auto& s : said) all += s + "\n";
  EXPECT_NE(all.find("still running: waiting"), std::string::npos) << all;
  EXPECT_NE(all.find("adopted"), std::string::npos) << all;
  EXPECT_NE(all.find("read here: verified"), std::string::npos) << all;
  const auto volids = sim->volids();
  ASSERT_EQ(volids.size(), 1u);
  const auto record = read_backup_record(config.state_dir, "prod-cloud", volids[0]);
  ASSERT_TRUE(record);
  EXPECT_EQ(state_of(*record), VerifyState::verified);
  EXPECT_EQ(record->run_id, "K1");
  EXPECT_EQ(record->sha256.size(), 64u);
}

TEST_F(VzdumpTierTest, ATaggedArchiveWithoutARecordIsNotVerifiedWhateverItsNotesSay) {
  start();
  const auto orphan =
      sim->seed_backup(106, k_start - k_day, tag("K1") + " \xC2\xB7 keep: daily \xC2\xB7 verified");
  auto tier = make_tier();
  const auto listed = tier->list(config.targets[0]);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].validation, Validation::unknown);
  // The next prune's notes say what is known: not verified.
  ASSERT_EQ(prune(*tier, context("P1")).state, TierState::ok);
  EXPECT_NE(first_line(notes_file(orphan)).find("not verified"), std::string::npos)
      << notes_file(orphan);
}

}  // namespace
}  // namespace agent
