// vzdump archives off-site, end to end: the vzdump tier makes and verifies an archive on a
// directory storage of the Proxmox simulator (real HTTPS, real archive), the off-site tier
// uploads it to the real radosgw with a receipt, the next prune writes "off-site" into the
// archive's notes, and `offsite fetch` brings it back, decrypted and verified, into the
// storage's dump directory where Proxmox lists it again (for `pct restore`). A failed fetch
// leaves nothing behind.
#include <gtest/gtest.h>

#include <set>

#include "age/encryptor.hpp"
#include "agent/cli/wiring.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/offsite/offsite_commands.hpp"
#include "agent/tier/offsite_receipt.hpp"
#include "agent/vzdump/backup_record.hpp"
#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/vzdump_tier.hpp"
#include "tests/agent_offsite/offsite_fixture.hpp"

// RunContext grows optional members that these tests leave at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tests/pvesim/sim_harness.hpp"

namespace agent::offsite {
namespace {

namespace fs = std::filesystem;
using testing::CapturedOutput;
using testing::slurp;

class OffsiteVzdump : public testing::OffsiteFixture {
 protected:
  OffsiteVzdump() : harness(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    harness.options.archive_bytes = 256 * 1024;
  }

  void SetUp() override {
    OffsiteFixture::SetUp();
    if (IsSkipped()) return;
    auto started = harness.start();
    ASSERT_TRUE(started) << started.error();
    sim = &harness.sim();
    const auto token = pvesim::default_token();
    config.proxmox.api_url = sim->base_url();
    config.proxmox.ca_file = sim->ca_file();
    config.proxmox.token_id = token.token_id;
    config.proxmox.node = "pve1";
    config.proxmox.token_secret.path = harness.write_token_file(token.secret);
    TargetConfig target;
    target.name = "prod-cloud";
    target.vmid = 106;
    target.vzdump = VzdumpConfig{};
    config.targets = {target};
    add_destination(true, true);
  }

  std::unique_ptr<VzdumpTier> vzdump_tier() {
    VzdumpTierOptions o;
    o.first_poll = std::chrono::milliseconds(5);
    o.max_poll = std::chrono::milliseconds(20);
    return std::make_unique<VzdumpTier>(
        config, [this] { return make_api_client(config, clock); }, o);
  }
  RunContext sim_context(const std::string& run_id) {
    return RunContext{.config = config,
                      .run_id = run_id,
                      .run_start = std::chrono::system_clock::from_time_t(sim->now())};
  }
  // One nightly vzdump backup: the verified archive's volid.
  std::string make_archive() {
    auto tier = vzdump_tier();
    const RunContext ctx = sim_context("20260101T010000Z");
    const auto out = tier->begin(config.targets[0], ctx)->backup();
    EXPECT_EQ(out.state, TierState::ok) << why(out);
    return out.backup_id;
  }
  TierOutcome vzdump_prune() {
    auto tier = vzdump_tier();
    const RunContext ctx = sim_context("20260101T020000Z");
    return tier->begin(config.targets[0], ctx)->prune();
  }
  std::string notes_line(const std::string& volid) {
    const auto file = sim->storage_dir() / (volid.substr(volid.rfind('/') + 1) + ".notes");
    return first_line(slurp(file));
  }
  fs::path archive_path(const std::string& volid) {
    return sim->storage_dir() / volid.substr(volid.rfind('/') + 1);
  }
  int fetch(const std::string& backup, const fs::path& identity, const fs::path& to,
            CapturedOutput& out) {
    FetchRequest r;
    r.backup = backup;
    r.target = "prod-cloud";
    r.identity_file = identity;
    r.to = to;
    return fetch_offsite(config, clients(), r, out);
  }

  pvesim::testing::SimHarness harness;
  pvesim::Simulator* sim = nullptr;
  SystemClock clock;
};

TEST_F(OffsiteVzdump, AVerifiedArchiveGoesOffsiteTheNotesSaySoAndFetchPutsItBackOnTheStorage) {
  const std::string volid = make_archive();
  ASSERT_FALSE(volid.empty());
  const auto record = read_backup_record(config.state_dir, "prod-cloud", volid);
  ASSERT_TRUE(record);
  ASSERT_EQ(record->verdict, ArchiveVerdict::verified);
  const std::string original = slurp(archive_path(volid));
  EXPECT_EQ(notes_line(volid).find("off-site"), std::string::npos) << notes_line(volid);

  // Upload, with receipt; the vzdump tier is told (as agent/cli/wiring.cpp wires it).
  auto vzdump = vzdump_tier();
  OffsiteTierOptions o = options();
  o.vzdump_copied = [&](const TargetConfig& t, const RunContext& ctx,
                        const std::set<std::string>& volids) {
    return vzdump->mark_offsite(t, ctx, volids);
  };
  OffsiteTier tier(config, o);
  const TierOutcome up = run_backup(tier);
  ASSERT_EQ(up.state, TierState::ok) << why(up);
  EXPECT_NE(up.summary.find("uploaded 1 backup"), std::string::npos) << up.summary;
  auto receipts = read_offsite_receipts(config.state_dir, "prod-cloud", TierName::vzdump, volid);
  ASSERT_TRUE(receipts);
  ASSERT_EQ(receipts->copies.size(), 1u);
  const OffsiteCopy c = receipts->copies.front();
  EXPECT_EQ(receipts->plaintext_sha256, record->sha256);
  EXPECT_EQ(c.key.rfind("pve1/prod-cloud/vzdump/20260101T010000Z/vzdump-lxc-106-", 0), 0u) << c.key;
  auto head = m_bucket_client->head_object(c.key, c.version_id);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->size, age::encrypted_size(original.size(), 1));
  EXPECT_EQ(head->metadata.at("smokerbak-tier"), "vzdump");
  EXPECT_EQ(head->metadata.at("smokerbak-sha256"), record->sha256);
  ASSERT_TRUE(head->retention);

  // In the same run, the notes line says "off-site" after the verify word; the next prune
  // keeps it so.
  EXPECT_TRUE(up.warnings.empty()) << up.warnings.front();
  const std::string line = notes_line(volid);
  EXPECT_NE(line.find("verified \xC2\xB7 off-site"), std::string::npos) << line;
  const TierOutcome pruned = vzdump_prune();
  ASSERT_NE(pruned.state, TierState::failed) << why(pruned);
  EXPECT_EQ(notes_line(volid), line);

  // The host loses the archive; `offsite fetch` puts it back in the storage's dump directory.
  fs::remove(archive_path(volid));
  fs::remove(archive_path(volid).string() + ".notes");
  ASSERT_TRUE(sim->volids().empty());
  CapturedOutput out;
  ASSERT_EQ(fetch(volid, identity_file(), sim->storage_dir(), out), exit_code::k_success)
      << out.all();
  EXPECT_EQ(slurp(archive_path(volid)), original);
  EXPECT_NE(out.results.find("vzdump archive verified"), std::string::npos) << out.all();
  EXPECT_NE(out.results.find("pct restore 106 " + archive_path(volid).string()), std::string::npos)
      << out.all();
  // Proxmox lists it again: `pct restore` can use it.
  EXPECT_EQ(sim->volids(), std::vector<std::string>{volid});
  for (const auto& e : fs::directory_iterator(sim->storage_dir())) {
    EXPECT_EQ(e.path().string().find(".partial"), std::string::npos) << e.path();
  }
}

TEST_F(OffsiteVzdump, AFailedFetchLeavesNothingAndNeverReplacesAnArchive) {
  const std::string volid = make_archive();
  OffsiteTier tier(config, options());
  ASSERT_EQ(run_backup(tier).state, TierState::ok);

  // Someone else's identity: refused, the directory stays empty.
  auto other = age::Identity::generate();
  ASSERT_TRUE(other);
  const fs::path wrong = m_dir / "other-identity.txt";
  testing::spit(wrong, std::string(other->to_string().view()) + "\n");
  fs::permissions(wrong, fs::perms::owner_read | fs::perms::owner_write);
  const fs::path to = m_dir / "dump";
  fs::create_directories(to);
  CapturedOutput refused;
  EXPECT_EQ(fetch(volid, wrong, to, refused), exit_code::k_failure) << refused.all();
  EXPECT_NE(refused.messages.find("offsite fetch failed"), std::string::npos) << refused.all();
  EXPECT_TRUE(fs::is_empty(to));

  // The archive is already there (the storage still has it): refused, it is left as it was.
  const std::string original = slurp(archive_path(volid));
  CapturedOutput exists;
  EXPECT_EQ(fetch(volid, identity_file(), sim->storage_dir(), exists), exit_code::k_failure)
      << exists.all();
  EXPECT_EQ(slurp(archive_path(volid)), original);

  // A vzdump archive needs a place: without --to the fetch says so.
  FetchRequest no_dir;
  no_dir.backup = volid;
  no_dir.identity_file = identity_file();
  CapturedOutput usage;
  EXPECT_EQ(fetch_offsite(config, clients(), no_dir, usage), exit_code::k_usage);
  EXPECT_NE(usage.messages.find("--to DIR"), std::string::npos) << usage.all();
}

TEST_F(OffsiteVzdump, AnArchiveThisNodeCannotReadIsNotCopiedAndTheRunSaysWhy) {
  const std::string volid = make_archive();
  fs::remove(archive_path(volid));  // gone from (or unreadable on) this node
  OffsiteTier tier(config, options());
  RunContext ctx = context(std::chrono::system_clock::now());
  ctx.made[TierName::vzdump] = volid;
  const TierOutcome out = tier.begin(config.targets.front(), ctx)->backup();
  ASSERT_NE(out.state, TierState::failed) << why(out);
  EXPECT_NE(out.summary.find("up to date"), std::string::npos) << out.summary;
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_NE(out.warnings[0].find("is not copied off-site: its storage is not readable"),
            std::string::npos)
      << out.warnings[0];
  EXPECT_FALSE(has_offsite_copy(config.state_dir, "prod-cloud", TierName::vzdump, volid));
}

}  // namespace
}  // namespace agent::offsite
