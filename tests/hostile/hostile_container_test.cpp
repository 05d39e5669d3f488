// A compromised container's mongodump over a real sshd (tests/sshd_fixture): a 1-byte drip,
// 300 MB of stderr, escape sequences, a gzip bomb. Each must end, stay bounded and stay safe
// text with the pieces the mongo tier builds on.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "agent/core/bounded_log.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/archive_validator.hpp"
#include "agent/mongo_format/dump_log.hpp"
#include "remote/ssh_session.hpp"
#include "tests/fake_mongo/fake_mongo_paths.hpp"
#include "tests/sshd_fixture/sshd_fixture.hpp"

namespace fs = std::filesystem;
namespace mf = agent::mongo_format;

namespace {

long peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

class HostileContainer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!m_sshd.unavailable().empty()) GTEST_SKIP() << m_sshd.unavailable();
    m_fake = m_sshd.dir() / "fake-mongo.d";
    fs::create_directories(m_fake);
  }
  void hostile(const std::string& modes, const std::string& extra = "") {
    std::ofstream(m_fake / "config") << "hostile=" << modes << "\n" << extra;
  }
  std::unique_ptr<remote::SshSession> connect(int io_timeout_s, int max_duration_s) {
    auto o = m_sshd.options(io_timeout_s);
    o.max_duration_s = max_duration_s;
    auto s = remote::connect_ssh(o);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  std::string dump_command() const {
    return "env FAKE_MONGO_DIR=" + remote::shell_quote(m_fake.string()) +
           " mongodump --archive --gzip --db=smoker";
  }

  testing_support::SshdFixture m_sshd{{fake_mongo::k_fake_mongo_bin_dir}};
  fs::path m_fake;
};

}  // namespace

TEST_F(HostileContainer, ADripEndsAtTheDeadlineWithATypedError) {
  hostile("drip", "drip_interval_ms=2000\n");
  auto s = connect(5, 7);
  ASSERT_TRUE(s);
  mf::ArchiveValidator validator;
  const auto start = std::chrono::steady_clock::now();
  auto r = s->exec(
      dump_command(), remote::no_stdin(),
      [&](const std::uint8_t* d, std::size_t n) {
        validator.feed(d, n);
        return true;
      },
      [](std::string_view) {});
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, remote::Error::Kind::deadline);
  EXPECT_NE(r.error().message.find("deadline of 7 s"), std::string::npos) << r.error().message;
  EXPECT_GE(took, 7.0);
  EXPECT_LT(took, 10.0);  // the stall limit (5 s) never fired: every byte came within 2 s
  EXPECT_GE(r.error().stdout_bytes, 3U);
  EXPECT_FALSE(validator.finish().valid);
}

TEST_F(HostileContainer, AStderrFloodStaysBoundedInMemoryAndInTheKeptLog) {
  hostile("stderr_flood", "flood_bytes=300000000\n");
  auto s = connect(20, 300);
  ASSERT_TRUE(s);
  agent::BoundedLog kept;
  mf::DumpLogParser log;
  mf::ArchiveValidator validator;
  const long rss_before = peak_rss_mib();
  const auto start = std::chrono::steady_clock::now();
  auto r = s->exec(
      dump_command(), remote::no_stdin(),
      [&](const std::uint8_t* d, std::size_t n) {
        validator.feed(d, n);
        return true;
      },
      [&](std::string_view line) {
        log.add_line(line);
        kept.add_line(line);
      });
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->success());
  EXPECT_GE(r->stderr_bytes, 300000000u);
  EXPECT_GE(kept.bytes_seen(), 300000000u);
  EXPECT_LE(kept.text().size(), 2u * 1024 * 1024 + 512);
  EXPECT_NE(kept.text().find("were cut here"), std::string::npos);
  // The count lines come after the flood and are still seen by the streaming parser.
  auto v = validator.finish();
  ASSERT_TRUE(v.valid) << v.errors.front();
  mf::check_counts(v, log.log());
  EXPECT_TRUE(v.valid) << (v.errors.empty() ? "" : v.errors.front());
  const long growth = peak_rss_mib() - rss_before;
  EXPECT_LT(growth, 64) << "peak RSS grew by " << growth << " MiB";
  RecordProperty("flood_seconds", std::to_string(took));
  RecordProperty("flood_peak_rss_mib", static_cast<int>(peak_rss_mib()));
  RecordProperty("flood_rss_growth_mib", static_cast<int>(growth));
}

TEST_F(HostileContainer, EscapeSequencesArriveRawAndAreShownEscaped) {
  hostile("escapes");
  auto s = connect(10, 60);
  ASSERT_TRUE(s);
  std::vector<std::string> lines;
  mf::ArchiveValidator validator;
  auto r = s->exec(
      dump_command(), remote::no_stdin(),
      [&](const std::uint8_t* d, std::size_t n) {
        validator.feed(d, n);
        return true;
      },
      [&](std::string_view line) { lines.emplace_back(line); });
  ASSERT_TRUE(r) << r.error().message;
  bool raw_escape = false, raw_cr = false;
  for (const auto& l : lines) {
    raw_escape = raw_escape || l.find('\x1B') != std::string::npos;
    raw_cr = raw_cr || l.find('\r') != std::string::npos;
    const std::string shown = agent::escape_control_chars(l);
    EXPECT_EQ(shown.find('\x1B'), std::string::npos) << shown;
    EXPECT_EQ(shown.find('\r'), std::string::npos) << shown;
    EXPECT_EQ(shown.find("\xC2\x9B"), std::string::npos) << shown;
  }
  EXPECT_TRUE(raw_escape);
  EXPECT_TRUE(raw_cr);
  EXPECT_TRUE(validator.finish().valid);
}

TEST_F(HostileContainer, AGzipBombOverSshIsStoppedByTheCapWithinSeconds) {
  hostile("gzip_bomb", "bomb_bytes=" + std::to_string(32ull << 30) + "\n");
  auto s = connect(30, 300);
  ASSERT_TRUE(s);
  mf::ArchiveLimits limits;
  limits.max_inflated_bytes = mf::inflated_size_cap(std::nullopt, {});  // 64 GiB ceiling
  limits.max_inflated_bytes = 256ull << 20;  // as if the previous backup were ~5 MB x 50
  mf::ArchiveValidator validator(true, limits);
  std::uint64_t received = 0;
  const long rss_before = peak_rss_mib();
  const auto start = std::chrono::steady_clock::now();
  auto r = s->exec(
      dump_command(), remote::no_stdin(),
      [&](const std::uint8_t* d, std::size_t n) {
        received += n;
        validator.feed(d, n);
        return true;  // the tier keeps storing; the verdict is what matters
      },
      [](std::string_view) {});
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r) << r.error().message;
  const auto v = validator.finish();
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(v.size_cap_exceeded);
  EXPECT_LE(v.archive_bytes, limits.max_inflated_bytes);
  EXPECT_LT(received, 64u << 20);  // 32 GiB inflated, a few tens of MB sent
  RecordProperty("bomb_received_bytes", std::to_string(received));
  RecordProperty("bomb_seconds", std::to_string(took));
  RecordProperty("bomb_rss_growth_mib", static_cast<int>(peak_rss_mib() - rss_before));
}
