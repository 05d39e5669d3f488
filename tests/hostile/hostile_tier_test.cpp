// The mongo tier as a whole (MongoTier -> MongoRun, the production wiring of limits, logs and
// checks) against a compromised container: the stand-in mongodump's hostile modes over a real
// sshd. Each test reproduces one class of issue 11 and fails on the build before the wiring:
// the run must end within its limits, fail with a reason that names the setting to change,
// keep what it stores bounded and safe text, and never crash.
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/mongo/manifest.hpp"
#include "agent/mongo/mongo_tier.hpp"
#include "agent/tier/tier.hpp"
#include "tests/agent_mongo/run_context_util.hpp"
#include "tests/agent_mongo/stand_in_target.hpp"
#include "tests/fake_mongo/fake_mongo_paths.hpp"
#include "tests/sshd_fixture/sshd_fixture.hpp"
#include "tests/support/outcome_text.hpp"

namespace {
namespace fs = std::filesystem;
using testing_support::why;

constexpr const char* k_password = "pw-hostile-4411";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

bool has_raw_control(const std::string& text) {
  for (const unsigned char c : text) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return true;
  }
  return false;
}

class HostileTier : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!m_sshd.unavailable().empty()) GTEST_SKIP() << m_sshd.unavailable();
    auto stand_in = testing_support::stand_in_mongo_target(m_sshd, k_password);
    m_fake = stand_in.fake_dir;
    m_config.timezone = "UTC";
    m_config.targets.push_back(stand_in.target);
    m_tier = std::make_unique<agent::mongo::MongoTier>(
        m_config, [](const remote::SshOptions& opts) { return remote::connect_ssh(opts); });
  }
  void TearDown() override {
    if (m_mounted) ::umount2(m_mounted->c_str(), MNT_DETACH);
  }

  void hostile(const std::string& modes, const std::string& extra = "") {
    std::ofstream(m_fake / "config") << "password=" << k_password << "\n"
                                     << "hostile=" << modes << "\n"
                                     << extra;
  }
  agent::MongoConfig& mongo() { return *m_config.targets.front().mongo; }
  const fs::path& dir() { return mongo().backup_dir; }

  agent::TierOutcome backup(const std::string& run_id = "run-1") {
    const auto ctx =
        testing_support::run_context(m_config, run_id, std::chrono::system_clock::now());
    return m_tier->begin(m_config.targets.front(), ctx)->backup();
  }

  // The attempt's directory (backup-* when published, failed-* when kept as evidence).
  fs::path attempt(const agent::TierOutcome& out) {
    const std::string prefix =
        out.state == agent::TierState::failed ? std::string("failed-") : out.backup_id;
    for (const auto& e : fs::directory_iterator(dir())) {
      if (e.path().filename().string().rfind(prefix, 0) == 0) return e.path();
    }
    return {};
  }

  testing_support::SshdFixture m_sshd{{fake_mongo::k_fake_mongo_bin_dir}};
  fs::path m_fake;
  agent::Config m_config;
  std::unique_ptr<agent::Tier> m_tier;
  std::optional<fs::path> m_mounted;
};

TEST_F(HostileTier, ADripEndsAtMaxDurationWithAReasonNamingTheSetting) {
  // One byte a second never trips the 5 s stall limit; only the overall deadline ends it.
  hostile("drip", "drip_interval_ms=1000\n");
  mongo().limits.max_duration_s = 4;
  const auto start = std::chrono::steady_clock::now();
  const auto out = backup();
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(out.state, agent::TierState::failed) << why(out);
  EXPECT_NE(why(out).find("mongo.max_duration_s (4 s)"), std::string::npos) << why(out);
  EXPECT_GE(took, 4.0);
  EXPECT_LT(took, 9.0);
  // The attempt is kept as evidence with its log; `latest` never moved.
  EXPECT_FALSE(fs::exists(dir() / "latest"));
  EXPECT_TRUE(fs::exists(attempt(out) / "mongodump.log"));
}

TEST_F(HostileTier, AStderrFloodKeepsOnlyHeadAndTailInTheStoredLogAndTheCountsStillMatch) {
  hostile("stderr_flood", "flood_bytes=60000000\n");
  mongo().limits.stderr_keep_bytes = 64 * 1024;
  const long rss_before = peak_rss_mib();
  const auto out = backup();
  ASSERT_EQ(out.state, agent::TierState::warning) << why(out);
  const auto log = slurp(dir() / out.backup_id / "mongodump.log");
  EXPECT_LE(log.size(), 2u * 64 * 1024 + 4096) << "the stored log is not bounded";
  EXPECT_NE(log.find("were cut here"), std::string::npos);
  // The count lines come after the flood: seen by the streaming parser, kept in the tail.
  EXPECT_NE(log.find("done dumping smoker."), std::string::npos);
  auto m = agent::mongo::read_manifest(dir() / out.backup_id / "manifest.json");
  ASSERT_TRUE(m) << m.error();
  EXPECT_TRUE(m->valid);
  for (const auto& c : m->collections) EXPECT_EQ(c.log_documents, c.archive_documents) << c.ns;
  // The warning says what was cut.
  bool warned = false;
  for (const auto& w : out.warnings) warned = warned || w.find("stderr") != std::string::npos;
  EXPECT_TRUE(warned) << why(out);
  const long growth = peak_rss_mib() - rss_before;
  EXPECT_LT(growth, 64) << "peak RSS grew by " << growth << " MiB";
  RecordProperty("flood_rss_growth_mib", static_cast<int>(growth));
}

TEST_F(HostileTier, AGzipBombFailsValidationAtTheCapWithTheReason) {
  hostile("gzip_bomb", "bomb_bytes=1073741824\n");
  mongo().limits.max_inflated_bytes = 64ull << 20;
  const long rss_before = peak_rss_mib();
  const auto out = backup();
  ASSERT_EQ(out.state, agent::TierState::failed) << why(out);
  EXPECT_EQ(out.validation_ok, false);
  EXPECT_NE(why(out).find("inflates to more than"), std::string::npos) << why(out);
  EXPECT_NE(why(out).find("mongo.max_inflated_bytes"), std::string::npos) << why(out);
  EXPECT_FALSE(fs::exists(dir() / "latest"));
  const long growth = peak_rss_mib() - rss_before;
  EXPECT_LT(growth, 64) << "peak RSS grew by " << growth << " MiB";
  RecordProperty("bomb_rss_growth_mib", static_cast<int>(growth));
}

TEST_F(HostileTier, TerminalEscapesFromStderrAreStoredEscaped) {
  hostile("escapes");
  const auto out = backup();
  const fs::path a = attempt(out);
  ASSERT_FALSE(a.empty()) << why(out);
  const auto log = slurp(a / "mongodump.log");
  EXPECT_FALSE(has_raw_control(log)) << "raw control characters in mongodump.log";
  EXPECT_NE(log.find("\\x1B"), std::string::npos) << log.substr(0, 2000);
  EXPECT_FALSE(has_raw_control(why(out)));
  for (const auto& w : out.warnings) EXPECT_FALSE(has_raw_control(w)) << w;
}

TEST_F(HostileTier, AnInvalidUtf8FailedLineIsAFailureWithARecordNotACrash) {
  hostile("invalid_utf8_failed");
  const auto out = backup();
  ASSERT_EQ(out.state, agent::TierState::failed) << why(out);
  EXPECT_NE(why(out).find("Failed:"), std::string::npos) << why(out);
  EXPECT_FALSE(has_raw_control(why(out)));
  EXPECT_NE(why(out).find("\\x"), std::string::npos) << why(out);  // the bad bytes, visible
  // The manifest is written, as valid JSON, and says why.
  auto m = agent::mongo::read_manifest(attempt(out) / "manifest.json");
  ASSERT_TRUE(m) << m.error();
  EXPECT_FALSE(m->valid);
}

TEST_F(HostileTier, DatabaseNamesThatArePathsAreRejectedAndWriteNothingOutside) {
  for (const std::string mode : {"traversal_db", "absolute_db"}) {
    hostile(mode);
    const auto out = backup("run-" + mode);
    ASSERT_EQ(out.state, agent::TierState::failed) << mode << ": " << why(out);
    EXPECT_EQ(out.validation_ok, false) << mode;
    EXPECT_NE(why(out).find("database name"), std::string::npos) << mode << ": " << why(out);
    EXPECT_FALSE(fs::exists(dir() / "latest")) << mode;
  }
  EXPECT_FALSE(fs::exists(m_sshd.dir() / "x"));
}

TEST_F(HostileTier, ADiskFullDumpSaysNoSpaceAndRemovesThePartialArchiveButKeepsTheLog) {
  fs::create_directories(dir());
  if (::mount("tmpfs", dir().c_str(), "tmpfs", 0, "size=1m,mode=0700") != 0) {
    GTEST_SKIP() << "cannot mount a small tmpfs here (needs root): " << std::strerror(errno);
  }
  m_mounted = dir();
  // About 8 MB of BSON: a few MB of archive, more than the 1 MiB file system holds.
  hostile("", "bytes=8000000\n");
  const auto out = backup();
  ASSERT_EQ(out.state, agent::TierState::failed) << why(out);
  EXPECT_NE(why(out).find("No space left on device"), std::string::npos) << why(out);
  EXPECT_EQ(why(out).find("output receiver stopped"), std::string::npos) << why(out);
  EXPECT_NE(why(out).find("partial archive was removed"), std::string::npos) << why(out);
  const fs::path a = attempt(out);
  ASSERT_FALSE(a.empty());
  EXPECT_FALSE(fs::exists(a / "smoker.archive.gz"));
  EXPECT_TRUE(fs::exists(a / "mongodump.log"));
  // Healed: the next, small dump fits.
  hostile("");
  const auto next = backup("run-2");
  EXPECT_NE(next.state, agent::TierState::failed) << why(next);
}

TEST_F(HostileTier, NewBackupDirectoriesArePrivate) {
  hostile("");
  const auto out = backup();
  ASSERT_NE(out.state, agent::TierState::failed) << why(out);
  struct stat st {};
  ASSERT_EQ(::stat(dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir() / out.backup_id).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir() / out.backup_id / "mongodump.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
  ASSERT_EQ(::stat((dir() / out.backup_id / "manifest.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

}  // namespace
