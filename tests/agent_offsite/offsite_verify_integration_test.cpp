// `validate --offsite` against the real radosgw: every copy (or a sample within the budget) is
// re-downloaded and re-hashed against its receipt, with an identity also decrypted and fully
// validated; a copy overwritten or changed behind the agent's back fails, naming the key and
// why; `status` shows the last verification.
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "agent/core/exit_codes.hpp"
#include "agent/offsite/destination_state.hpp"
#include "agent/offsite/offsite_commands.hpp"
#include "agent/offsite/offsite_report.hpp"
#include "agent/tier/offsite_receipt.hpp"
#include "tests/agent_offsite/offsite_fixture.hpp"

namespace agent::offsite {
namespace {

namespace fs = std::filesystem;

using testing::CapturedOutput;
using testing::epoch_now;

class OffsiteVerify : public testing::OffsiteFixture {
 protected:
  void SetUp() override {
    OffsiteFixture::SetUp();
    if (IsSkipped()) return;
    add_mongo_target();
    const std::int64_t now = epoch_now();
    for (int i = 0; i < 3; ++i) {
      m_ids.push_back("backup-2026120" + std::to_string(1 + i) + "-115000");
      add_mongo_backup(m_ids.back(), now - (3 - i) * 86400);
    }
    add_destination(true, true);
    OffsiteTier tier(config, options());
    const TierOutcome up = run_backup(tier);
    ASSERT_EQ(up.state, TierState::ok) << why(up);
    for (const auto& id : m_ids) {
      auto r = read_offsite_receipts(config.state_dir, "prod", TierName::mongo, id);
      ASSERT_TRUE(r) << id;
      m_copies.push_back(r->copies.front());
    }
  }

  int verify(const VerifyRequest& request, CapturedOutput& out) {
    return validate_offsite(config, clients(), request, epoch_now(), out);
  }
  OffsiteCopy copy_of(const std::string& id) {
    return read_offsite_receipts(config.state_dir, "prod", TierName::mongo, id)->copies.front();
  }

  std::vector<std::string> m_ids;
  std::vector<OffsiteCopy> m_copies;
};

TEST_F(OffsiteVerify, RehashesEveryCopyAndStatusShowsTheVerification) {
  VerifyRequest all;
  all.all = true;
  CapturedOutput out;
  ASSERT_EQ(verify(all, out), exit_code::k_success) << out.all();
  EXPECT_NE(out.results.find("rgw: 3 of 3 copies checked"), std::string::npos) << out.all();
  EXPECT_NE(out.results.find("re-hashed"), std::string::npos) << out.all();
  for (const auto& id : m_ids) {
    const OffsiteCopy c = copy_of(id);
    EXPECT_GT(c.verified_at, 0) << id;
    ASSERT_TRUE(c.verified) << id;
    EXPECT_TRUE(*c.verified) << id;
  }
  const auto reports = destination_reports(config, epoch_now(), std::nullopt);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].state.last_verify_ok, true);
  EXPECT_EQ(reports[0].state.last_verified_count, 3u);
  EXPECT_NE(render_reports_table(reports, epoch_now()).find("last verification: "),
            std::string::npos);
  EXPECT_EQ(render_reports_table(reports, epoch_now()).find("never"), std::string::npos);
}

TEST_F(OffsiteVerify, WithAnIdentityDecryptsAndValidatesThePlaintext) {
  VerifyRequest r;
  r.all = true;
  r.json = true;
  r.identity_file = identity_file();
  CapturedOutput out;
  ASSERT_EQ(verify(r, out), exit_code::k_success) << out.all();
  const auto j = nlohmann::json::parse(out.results);
  ASSERT_EQ(j["copies"].size(), 3u);
  for (const auto& c : j["copies"]) {
    EXPECT_EQ(c["decrypted"], true);
    EXPECT_EQ(c["valid"], true) << c.dump();
  }
  EXPECT_FALSE(fs::exists(config.state_dir / "offsite" / "scratch"));  // nothing left behind

  // Someone else's identity cannot open the copies: each fails, saying so.
  auto other = age::Identity::generate();
  ASSERT_TRUE(other);
  const fs::path wrong = m_dir / "wrong.txt";
  testing::spit(wrong, std::string(other->to_string().view()) + "\n");
  fs::permissions(wrong, fs::perms::owner_read | fs::perms::owner_write);
  r.identity_file = wrong;
  r.json = false;
  CapturedOutput bad;
  EXPECT_EQ(verify(r, bad), exit_code::k_failure) << bad.all();
  EXPECT_NE(bad.messages.find(m_copies[0].key + ": FAILED"), std::string::npos) << bad.all();
  EXPECT_NE(bad.messages.find("identit"), std::string::npos) << bad.all();
}

TEST_F(OffsiteVerify, AVersionWrittenOverTheCopyFailsNamingTheKeyAndWhy) {
  // Another writer puts new bytes under the agent's key: a newer version hides the copy.
  s3::PutOptions put;
  ASSERT_TRUE(m_bucket_client->put_object(m_copies[1].key, "ransom note", put));
  VerifyRequest all;
  all.all = true;
  CapturedOutput out;
  EXPECT_EQ(verify(all, out), exit_code::k_failure) << out.all();
  EXPECT_NE(out.messages.find("rgw: " + m_copies[1].key + ": FAILED: a newer version"),
            std::string::npos)
      << out.all();
  EXPECT_NE(out.messages.find("written over the agent's copy"), std::string::npos);
  EXPECT_NE(out.results.find("1 failed"), std::string::npos) << out.all();
  const OffsiteCopy c = copy_of(m_ids[1]);
  ASSERT_TRUE(c.verified);
  EXPECT_FALSE(*c.verified);
  EXPECT_NE(c.verify_problem.find("newer version"), std::string::npos);
  // status: critical, with the key.
  const auto reports = destination_reports(config, epoch_now(), std::nullopt);
  EXPECT_EQ(reports[0].level, Level::critical);
  EXPECT_NE(reports[0].reasons[0].find(m_copies[1].key), std::string::npos)
      << reports[0].reasons[0];
}

TEST_F(OffsiteVerify, AReplacedVersionThatIsGoneFails) {
  // The receipt's version deleted (governance bypass) and the key written again.
  ASSERT_TRUE(m_bucket_client->delete_object(m_copies[2].key, m_copies[2].version_id, true));
  s3::PutOptions put;
  ASSERT_TRUE(m_bucket_client->put_object(m_copies[2].key, "other bytes", put));
  VerifyRequest all;
  all.all = true;
  CapturedOutput out;
  EXPECT_EQ(verify(all, out), exit_code::k_failure) << out.all();
  EXPECT_NE(out.messages.find(m_copies[2].key + ": FAILED: the version the receipt names cannot "
                                                "be read"),
            std::string::npos)
      << out.all();
}

TEST_F(OffsiteVerify, AReceiptThatDisagreesWithTheStoredBytesFails) {
  // What the bucket holds no longer hashes to what the receipt recorded at upload.
  auto rec = read_offsite_receipts(config.state_dir, "prod", TierName::mongo, m_ids[0]);
  ASSERT_TRUE(rec);
  ASSERT_FALSE(rec->copies.front().composite_sha256.empty());
  rec->copies.front().composite_sha256 = s3::to_base64(s3::sha256("something else"));
  ASSERT_FALSE(write_offsite_receipts(config.state_dir, *rec));
  VerifyRequest all;
  all.all = true;
  CapturedOutput out;
  EXPECT_EQ(verify(all, out), exit_code::k_failure) << out.all();
  EXPECT_NE(out.messages.find(m_copies[0].key + ": FAILED: its content changed"), std::string::npos)
      << out.all();

  // A receipt whose plaintext SHA-256 differs from the object's metadata fails before the
  // download.
  rec = read_offsite_receipts(config.state_dir, "prod", TierName::mongo, m_ids[1]);
  rec->plaintext_sha256 = std::string(64, '0');
  ASSERT_FALSE(write_offsite_receipts(config.state_dir, *rec));
  CapturedOutput out2;
  EXPECT_EQ(verify(all, out2), exit_code::k_failure);
  EXPECT_NE(out2.messages.find(m_copies[1].key + ": FAILED: its plaintext SHA-256"),
            std::string::npos)
      << out2.all();
}

TEST_F(OffsiteVerify, ABudgetChecksASampleNeverVerifiedFirstThenTheLongestAgo) {
  VerifyRequest sample;
  sample.budget_bytes = m_copies[0].size + 1;  // room for one copy
  sample.json = true;
  std::set<std::string> seen;
  for (int run = 0; run < 3; ++run) {
    CapturedOutput out;
    ASSERT_EQ(validate_offsite(config, clients(), sample, epoch_now() + run, out),
              exit_code::k_success)
        << out.all();
    const auto j = nlohmann::json::parse(out.results);
    ASSERT_EQ(j["copies"].size(), 1u) << out.results;
    seen.insert(j["copies"][0]["backup_id"].get<std::string>());
  }
  EXPECT_EQ(seen.size(), 3u) << "three runs with room for one copy each checked every copy";
  // The destination's own budget (verify_budget_mib) applies without the flag: 1 MiB holds all
  // three small copies here.
  config.offsite.destinations[0].verify_budget_bytes = 1024 * 1024;
  CapturedOutput out;
  ASSERT_EQ(verify(VerifyRequest{}, out), exit_code::k_success) << out.all();
  EXPECT_NE(out.results.find("3 of 3 copies checked"), std::string::npos) << out.all();
}

}  // namespace
}  // namespace agent::offsite
