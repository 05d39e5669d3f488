// The off-site tier end to end against the real radosgw of the s3_server fixture: a validated
// mongo backup (a real mongodump archive) is encrypted with age, uploaded under Object Lock,
// confirmed by HEAD and recorded as a receipt; status reports it; `offsite fetch` brings it
// back decrypted and validated; the stock `age` binary decrypts the stored object.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "age/encryptor.hpp"
#include "age/keys.hpp"
#include "agent/config/config.hpp"
#include "agent/core/installation_id.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/offsite/offsite_fetch.hpp"
#include "agent/offsite/offsite_report.hpp"
#include "agent/offsite/offsite_tier.hpp"
#include "agent/tier/offsite_receipt.hpp"
#include "s3/digest.hpp"
#include "tests/agent_offsite/offsite_fixture.hpp"
#include "tests/s3/s3_test_util.hpp"

namespace agent::offsite {
namespace {

namespace fs = std::filesystem;

using testing::epoch_now;
using testing::slurp;
using testing::spit;

// The shared off-site fixture (tests/agent_offsite/offsite_fixture.hpp) with one valid mongo
// backup of target "prod" made ten minutes ago.
class OffsiteIntegration : public testing::OffsiteFixture {
 protected:
  void SetUp() override {
    OffsiteFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    m_ctime = epoch_now() - 600;
    m_backup_id = "backup-20261203-115000";
    add_mongo_backup(m_backup_id, m_ctime);
    add_mongo_target();
  }

  // A destination on a fresh bucket; `lock`: Object Lock (and versioning) on the bucket.
  OffsiteDestination& add_destination(bool lock) {
    return OffsiteFixture::add_destination(lock, lock);
  }

  static policies::RetentionPolicy keep_last(std::int64_t n) {
    policies::RetentionPolicy p;
    p.keep_last = n;
    p.keep_daily = p.keep_weekly = p.keep_monthly = std::nullopt;
    return p;
  }

  std::string m_backup_id;
  std::int64_t m_ctime = 0;
};

TEST_F(OffsiteIntegration, UploadsValidatedBackupEncryptedLockedAndRecordsReceipt) {
  add_destination(true);
  OffsiteTier tier(config, options());
  const TierOutcome out = run_backup(tier);
  ASSERT_EQ(out.state, TierState::ok)
      << out.summary << " " << (out.error ? out.error->message : "");
  EXPECT_NE(out.summary.find("uploaded 1 backup"), std::string::npos) << out.summary;

  auto receipts = read_offsite_receipts(config.state_dir, "prod", TierName::mongo, m_backup_id);
  ASSERT_TRUE(receipts);
  ASSERT_EQ(receipts->copies.size(), 1u);
  const OffsiteCopy& c = receipts->copies.front();
  EXPECT_EQ(receipts->plaintext_sha256, m_sha);
  EXPECT_EQ(c.lock_mode, "GOVERNANCE");
  EXPECT_GT(c.retain_until, epoch_now() + 24 * 3600);
  EXPECT_FALSE(c.version_id.empty());
  EXPECT_TRUE(has_offsite_copy(config.state_dir, "prod", TierName::mongo, m_backup_id));
  EXPECT_EQ(c.key.rfind("pve1/prod/mongo/", 0), 0u) << c.key;

  // What the server holds: ciphertext of the exact age size, our tag, the lock.
  auto head = m_bucket_client->head_object(c.key, c.version_id);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->size, age::encrypted_size(m_archive.size(), 1));
  EXPECT_EQ(head->metadata.at("smokerbak-sha256"), m_sha);
  EXPECT_EQ(head->metadata.at("smokerbak-owner").size(), k_installation_id_chars);
  ASSERT_TRUE(head->retention);
  EXPECT_EQ(head->retention->mode, s3::LockMode::governance);
  // A locked version refuses a plain delete.
  auto del = m_bucket_client->delete_object(c.key, c.version_id);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().kind, s3::Error::Kind::object_locked);

  // status: one copy, nothing lagging.
  const auto reports = destination_reports(config, epoch_now(), std::nullopt);
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_EQ(reports[0].targets.size(), 1u);
  EXPECT_EQ(reports[0].targets[0].copies, 1u);
  EXPECT_EQ(reports[0].targets[0].lag, 0u);
  EXPECT_EQ(reports[0].level, Level::ok)
      << (reports[0].reasons.empty() ? "" : reports[0].reasons[0]);
  EXPECT_NE(render_reports_table(reports, epoch_now()).find("rgw"), std::string::npos);
  EXPECT_NE(render_metrics(reports).find("offsite_last_success_timestamp_seconds"),
            std::string::npos);

  // A second run has nothing to upload.
  const TierOutcome again = run_backup(tier);
  EXPECT_EQ(again.state, TierState::ok) << again.summary;
  EXPECT_NE(again.summary.find("up to date"), std::string::npos) << again.summary;
}

TEST_F(OffsiteIntegration, FetchDecryptsValidatesAndRefusesAWrongIdentity) {
  add_destination(true);
  OffsiteTier tier(config, options());
  ASSERT_EQ(run_backup(tier).state, TierState::ok);
  auto receipts = read_offsite_receipts(config.state_dir, "prod", TierName::mongo, m_backup_id);
  ASSERT_TRUE(receipts);
  const std::string key = receipts->copies.front().key;

  auto other = age::Identity::generate();
  ASSERT_TRUE(other);
  const fs::path wrong_to = m_dir / "wrong";
  auto refused = fetch_and_validate(*m_bucket_client, key, {*other}, wrong_to);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, FetchError::Kind::identity) << refused.error().message;
  EXPECT_FALSE(fs::exists(wrong_to / m_backup_id));
  EXPECT_FALSE(fs::exists(wrong_to / (m_backup_id + ".partial")));

  const fs::path to = m_dir / "fetched";
  FetchOptions fo;
  fo.expected_sha256 = m_sha;
  auto fetched = fetch_and_validate(*m_bucket_client, key, {*m_identity}, to, fo);
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->tier, TierName::mongo);
  EXPECT_EQ(fetched->backup_id, m_backup_id);
  EXPECT_EQ(fetched->sha256, m_sha);
  EXPECT_EQ(slurp(fetched->file), m_archive);
  EXPECT_TRUE(fs::exists(to / m_backup_id / "manifest.json"));
  EXPECT_NE(fetched->validation.find("valid mongodump archive"), std::string::npos);

  // A receipt that disagrees with the object (changed behind the agent's back) is refused.
  FetchOptions changed;
  changed.expected_sha256 = std::string(64, '0');
  auto mismatch = fetch_and_validate(*m_bucket_client, key, {*m_identity}, m_dir / "x", changed);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().kind, FetchError::Kind::integrity);
}

TEST_F(OffsiteIntegration, StockAgeBinaryDecryptsTheStoredObject) {
  if (::access("/usr/bin/age", X_OK) != 0) GTEST_SKIP() << "the age package is not installed";
  add_destination(true);
  OffsiteTier tier(config, options());
  ASSERT_EQ(run_backup(tier).state, TierState::ok);
  auto receipts = read_offsite_receipts(config.state_dir, "prod", TierName::mongo, m_backup_id);
  ASSERT_TRUE(receipts);
  s3::testing::StringSink sink;
  auto got = m_bucket_client->get_object(receipts->copies.front().key, sink);
  ASSERT_TRUE(got) << got.error().message;
  spit(m_dir / "copy.age", sink.text);
  {
    std::ofstream id(m_dir / "identity.txt");
    id << m_identity->to_string().view() << "\n";
  }
  fs::permissions(m_dir / "identity.txt", fs::perms::owner_read | fs::perms::owner_write);
  const std::string cmd = "/usr/bin/age -d -i '" + (m_dir / "identity.txt").string() + "' -o '" +
                          (m_dir / "plain").string() + "' '" + (m_dir / "copy.age").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(slurp(m_dir / "plain"), m_archive);
}

TEST_F(OffsiteIntegration, BucketWithoutObjectLockFailsAndRecordsNothing) {
  add_destination(false);
  OffsiteTier tier(config, options());
  const TierOutcome out = run_backup(tier);
  ASSERT_EQ(out.state, TierState::failed) << out.summary;
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("rgw"), std::string::npos) << out.error->message;
  EXPECT_FALSE(has_offsite_copy(config.state_dir, "prod", TierName::mongo, m_backup_id));
  // status says so.
  const auto reports = destination_reports(config, epoch_now(), std::nullopt);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_FALSE(reports[0].state.last_error.empty());
}

// Pruning off-site: the policy's leftovers go when unlocked, a locked one waits for a later run,
// and an object that is not this installation's is never touched.
TEST_F(OffsiteIntegration, PruneDeletesWhatThePolicyLetsGoButNeverLockedOrForeignCopies) {
  const std::string older = "backup-20261201-115000";
  add_mongo_backup(older, m_ctime - 2 * 86400);
  config.retention = keep_last(2);
  OffsiteDestination& d = add_destination(true);
  OffsiteTier tier(config, options());
  const TierOutcome up = run_backup(tier);
  ASSERT_EQ(up.state, TierState::ok) << up.summary << (up.error ? up.error->message : "");
  ASSERT_TRUE(has_offsite_copy(config.state_dir, "prod", TierName::mongo, older));

  // Someone else's object under our prefix, old enough for any policy to let it go.
  const std::string foreign = "pve1/prod/mongo/20200101T000000Z/backup-20200101-000000.x.age";
  s3::PutOptions put;
  put.metadata = {{"smokerbak-owner", std::string(32, 'f')}};
  ASSERT_TRUE(m_bucket_client->put_object(foreign, "not ours", put));

  config.retention = keep_last(1);
  // The older copy is still locked: the prune says so and keeps the receipt.
  const TierOutcome locked = run_prune(tier);
  ASSERT_NE(locked.state, TierState::failed) << (locked.error ? locked.error->message : "");
  EXPECT_NE(locked.summary.find("still locked"), std::string::npos) << locked.summary;
  EXPECT_TRUE(has_offsite_copy(config.state_dir, "prod", TierName::mongo, older));

  // Once its lock is gone (lifted here with the governance bypass), the next run deletes it.
  auto receipts = read_offsite_receipts(config.state_dir, "prod", TierName::mongo, older);
  ASSERT_TRUE(receipts);
  const OffsiteCopy old_copy = receipts->copies.front();
  ASSERT_TRUE(m_bucket_client->delete_object(old_copy.key, old_copy.version_id, true));
  // (deleting it by bypass leaves nothing; put an unlocked copy of ours back in its place)
  s3::PutOptions ours;
  auto head_new = m_bucket_client->head_object(
      read_offsite_receipts(config.state_dir, "prod", TierName::mongo, m_backup_id)
          ->copies.front()
          .key);
  ASSERT_TRUE(head_new);
  ours.metadata = head_new->metadata;
  ASSERT_TRUE(m_bucket_client->put_object(old_copy.key, "ciphertext", ours));
  d.lock = OffsiteLock::off;
  const TierOutcome pruned = run_prune(tier);
  ASSERT_NE(pruned.state, TierState::failed) << (pruned.error ? pruned.error->message : "");
  EXPECT_EQ(pruned.removed_count, 1u) << pruned.summary;
  EXPECT_TRUE(has_offsite_copy(config.state_dir, "prod", TierName::mongo, m_backup_id));
  EXPECT_TRUE(m_bucket_client->head_object(foreign)) << "a foreign object was deleted";
  EXPECT_FALSE(m_bucket_client->head_object(old_copy.key));
}

// The commands through the binary, as an operator on a new host runs them: `offsite list` reads
// the bucket, `offsite fetch` brings the copy back decrypted and validated.
TEST_F(OffsiteIntegration, BinaryListsAndFetchesTheCopy) {
  add_destination(true);
  OffsiteTier tier(config, options());
  ASSERT_EQ(run_backup(tier).state, TierState::ok);
  const auto& d = config.offsite.destinations.front();
  spit(m_dir / "s3.credentials", "access_key_id = " + server.access_key +
                                     "\nsecret_access_key = " + server.secret_key + "\n");
  fs::permissions(m_dir / "s3.credentials", fs::perms::owner_read | fs::perms::owner_write);
  spit(m_dir / "identity.txt", std::string(m_identity->to_string().view()) + "\n");
  fs::permissions(m_dir / "identity.txt", fs::perms::owner_read | fs::perms::owner_write);
  // A new host: an empty state directory.
  fs::create_directories(m_dir / "newstate");
  const std::string yaml =
      "timezone: UTC\n"
      "state_dir: " +
      (m_dir / "newstate").string() +
      "\n"
      "metrics_file: " +
      (m_dir / "metrics.prom").string() +
      "\n"
      "targets:\n"
      "  - name: prod\n"
      "    vmid: 106\n"
      "    mongo:\n"
      "      ssh: { host: 127.0.0.1, identity_file: /nonexistent/k, known_hosts: /nonexistent/kh "
      "}\n"
      "      database: app\n"
      "      backup_dir: " +
      (m_dir / "restored").string() +
      "\n"
      "offsite:\n"
      "  destinations:\n"
      "    - name: rgw\n"
      "      endpoint: " +
      server.https_endpoint +
      "\n"
      "      region: " +
      server.region +
      "\n"
      "      bucket: " +
      d.bucket +
      "\n"
      "      prefix: pve1/\n"
      "      credentials_file: " +
      (m_dir / "s3.credentials").string() +
      "\n"
      "      ca_file: " +
      server.ca_file +
      "\n"
      "      lock: governance\n"
      "      recipients: [" +
      m_identity->recipient().to_string() + "]\n";
  spit(m_dir / "config.yaml", yaml);
  auto run_cli = [&](const std::string& args, std::string& out) {
    const std::string cmd = "env -u CREDENTIALS_DIRECTORY " + std::string(PVE_SMOKERBAK_BINARY) +
                            " -c '" + (m_dir / "config.yaml").string() + "' " + args + " >'" +
                            (m_dir / "out").string() + "' 2>'" + (m_dir / "err").string() + "'";
    const int status = std::system(cmd.c_str());
    out = slurp(m_dir / "out") + slurp(m_dir / "err");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  std::string out;
  ASSERT_EQ(run_cli("offsite list --json", out), 0) << out;
  EXPECT_NE(out.find(m_backup_id), std::string::npos) << out;
  ASSERT_EQ(run_cli("offsite fetch " + m_backup_id + " --target prod --identity '" +
                        (m_dir / "identity.txt").string() + "'",
                    out),
            0)
      << out;
  EXPECT_EQ(slurp(m_dir / "restored" / m_backup_id / "app.archive.gz"), m_archive);
  EXPECT_TRUE(fs::exists(m_dir / "restored" / m_backup_id / "manifest.json"));
}

}  // namespace
}  // namespace agent::offsite
