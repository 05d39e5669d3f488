#pragma once

// The setup the off-site integration tests share: a fresh state_dir and backup_dir per test,
// valid mongo backups made of a real mongodump archive, a throwaway age identity, destinations
// on fresh radosgw buckets of the s3_server fixture, one tier run, and a captured Output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "age/keys.hpp"
#include "agent/config/config.hpp"
#include "agent/core/output.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/offsite/offsite_tier.hpp"
#include "s3/digest.hpp"
#include "tests/fake_mongo/archive_writer.hpp"
#include "tests/fake_mongo/dataset.hpp"
#include "tests/s3/s3_test_util.hpp"

namespace agent::offsite::testing {

namespace fs = std::filesystem;

inline const fs::path k_real_dump =
    fs::path(SMOKERBAK_SOURCE_DIR) /
    "../shared/testdata/mongodump-real/uRuiz__Kenjo_Code_Challenge/dump.gz";

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The mongo archive the off-site tests copy: a dump made by real mongodump when ../shared is
// there (read in place), else the stand-in's deterministic archive of database "app", so the
// off-site tier is tested on every machine, not skipped.
inline std::string sample_archive() {
  if (fs::exists(k_real_dump)) return slurp(k_real_dump);
  const auto bytes = fake_mongo::build_archive(fake_mongo::default_dataset("app"));
  return std::string(bytes.begin(), bytes.end());
}

inline void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

inline std::int64_t epoch_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Results and messages as strings.
class CapturedOutput final : public Output {
 public:
  std::string results, messages;
  std::string all() const { return results + messages; }

 protected:
  void write_result(std::string_view text) override { results += text; }
  void write_message(std::string_view text) override { messages += text; }
};

class OffsiteFixture : public s3::testing::S3ServerTest {
 protected:
  void SetUp() override {
    S3ServerTest::SetUp();
    if (IsSkipped()) return;
    m_dir = fs::temp_directory_path() /
            ("offsite-fx-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "state");
    fs::create_directories(m_dir / "backups");
    m_archive = sample_archive();
    m_sha = s3::to_hex(s3::sha256(m_archive));
    auto id = age::Identity::generate();
    ASSERT_TRUE(id);
    m_identity = *id;
    config.timezone = "UTC";
    config.state_dir = m_dir / "state";
    config.source_file = m_dir / "config.yaml";
  }
  void TearDown() override {
    if (!m_dir.empty()) fs::remove_all(m_dir);
    S3ServerTest::TearDown();
  }

  void add_mongo_target() {
    TargetConfig t;
    t.name = "prod";
    t.vmid = 106;
    MongoConfig mc;
    mc.database = "app";
    mc.backup_dir = m_dir / "backups";
    t.mongo = mc;
    config.targets.push_back(t);
  }

  // A valid mongo backup (the real archive) in backup_dir, made at `ctime`.
  void add_mongo_backup(const std::string& id, std::int64_t ctime) {
    const fs::path bdir = m_dir / "backups" / id;
    fs::create_directories(bdir);
    spit(bdir / "app.archive.gz", m_archive);
    mongo::Manifest m;
    m.backup_id = id;
    m.run_id = "R-" + id;
    m.target = "prod";
    m.database = "app";
    m.started_at = m.finished_at = ctime;
    m.archive_file = "app.archive.gz";
    m.size = m_archive.size();
    m.sha256 = m_sha;
    m.mongodump_exit = 0;
    m.valid = true;
    spit(bdir / "manifest.json", mongo::manifest_to_json(m));
  }

  // A destination on a fresh bucket with the given Object Lock and versioning.
  OffsiteDestination& add_destination(bool object_lock, bool versioning,
                                      OffsiteLock lock = OffsiteLock::governance) {
    m_bucket_client = new_bucket(object_lock, versioning);
    OffsiteDestination d;
    d.name = "rgw";
    d.bucket = m_bucket_client->options().bucket;
    d.endpoint = server.https_endpoint;
    d.prefix = "pve1/";
    d.recipients = {m_identity->recipient().to_string()};
    d.lock = lock;  // governance: test cleanup may bypass it
    config.offsite.destinations.push_back(d);
    return config.offsite.destinations.back();
  }

  ClientFactory clients() {
    const s3::testing::TestServer srv = server;
    return [srv](const OffsiteDestination& d) {
      return s3::Client::create(s3::testing::https_options(srv, d.bucket));
    };
  }
  OffsiteTierOptions options() {
    OffsiteTierOptions o;
    o.clients = clients();
    return o;
  }

  RunContext context(std::chrono::system_clock::time_point start) {
    return RunContext{config, "20261203T120000Z", start, false, false, nullptr, {}};
  }
  TierOutcome run_backup(OffsiteTier& tier, std::chrono::system_clock::time_point start =
                                                std::chrono::system_clock::now()) {
    const RunContext ctx = context(start);
    return tier.begin(config.targets.front(), ctx)->backup();
  }
  TierOutcome run_prune(OffsiteTier& tier, std::chrono::system_clock::time_point start =
                                               std::chrono::system_clock::now()) {
    const RunContext ctx = context(start);
    return tier.begin(config.targets.front(), ctx)->prune();
  }

  // The identity as an age identity file (mode 0600).
  fs::path identity_file() {
    const fs::path p = m_dir / "identity.txt";
    spit(p, std::string(m_identity->to_string().view()) + "\n");
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
    return p;
  }

  static std::string why(const TierOutcome& o) {
    return o.summary + (o.error ? " / " + o.error->message : std::string());
  }

  Config config;
  fs::path m_dir;
  std::string m_archive, m_sha;
  std::optional<age::Identity> m_identity;
  std::unique_ptr<s3::Client> m_bucket_client;
};

}  // namespace agent::offsite::testing
