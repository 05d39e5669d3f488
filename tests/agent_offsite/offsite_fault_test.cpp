// Faults between the agent and its off-site destination, through the real binary against the
// real radosgw of the s3_server fixture, with a fault-injecting TCP proxy in front of it
// (tests/s3_fixture/fault_proxy.hpp: real connections cut and real answers replaced, not a fake
// S3). What an operator sees is checked: the exit code, a message naming the destination and
// what to do, no receipt for a copy that did not make it, `status` showing the failure, the next
// run cleaning up and succeeding, local backups untouched, nothing partial left by a fetch.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "age/encryptor.hpp"
#include "age/keys.hpp"
#include "agent/mongo/manifest.hpp"
#include "agent/tier/offsite_receipt.hpp"
#include "s3/digest.hpp"
#include "tests/agent_offsite/offsite_fixture.hpp"
#include "tests/s3/s3_test_util.hpp"
#include "tests/s3_fixture/fault_proxy.hpp"

namespace agent::offsite {
namespace {

namespace fs = std::filesystem;
using s3::testing::FaultProxy;

constexpr std::uint64_t k_mib = 1 << 20;

using testing::slurp;
using testing::spit;

std::uint16_t port_of(const std::string& endpoint) {
  return static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

std::string s3_error(const std::string& code, const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" +
         message + "</Message><RequestId>fault-proxy</RequestId></Error>";
}

// How many HTTP requests clients sent through the proxy (request lines in what it recorded).
int requests_in(const std::string& sent) {
  int n = 0;
  for (auto pos = sent.find(" HTTP/1.1\r\n"); pos != std::string::npos;
       pos = sent.find(" HTTP/1.1\r\n", pos + 1)) {
    ++n;
  }
  return n;
}

class OffsiteFaults : public s3::testing::S3ServerTest {
 protected:
  void SetUp() override {
    S3ServerTest::SetUp();
    if (IsSkipped()) return;
    m_dir = fs::temp_directory_path() /
            ("offsite-faults-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "state");
    m_bucket = new_bucket(true, true);
    auto id = age::Identity::generate();
    ASSERT_TRUE(id);
    m_identity = *id;
    spit(m_dir / "identity.txt", std::string(m_identity->to_string().view()) + "\n");
    fs::permissions(m_dir / "identity.txt", fs::perms::owner_read | fs::perms::owner_write);
    write_credentials(server.access_key, server.secret_key);
  }
  void TearDown() override {
    if (!m_dir.empty()) fs::remove_all(m_dir);
    S3ServerTest::TearDown();
  }

  void write_credentials(const std::string& access, const std::string& secret) {
    spit(m_dir / "s3.credentials",
         "access_key_id = " + access + "\nsecret_access_key = " + secret + "\n");
    fs::permissions(m_dir / "s3.credentials", fs::perms::owner_read | fs::perms::owner_write);
  }

  // A validated mongo backup of `size` pseudo-random bytes (the upload does not look inside;
  // its record's size and SHA-256 are checked while it is read).
  void add_backup(std::uint64_t size) {
    const fs::path bdir = m_dir / "backups" / m_backup_id;
    fs::create_directories(bdir);
    std::string bytes(size, '\0');
    std::mt19937_64 rng(42);
    for (std::size_t i = 0; i + 8 <= bytes.size(); i += 8) {
      const std::uint64_t v = rng();
      std::memcpy(bytes.data() + i, &v, 8);
    }
    spit(bdir / "app.archive.gz", bytes);
    m_archive_sha = s3::to_hex(s3::sha256(bytes));
    mongo::Manifest m;
    m.backup_id = m_backup_id;
    m.run_id = "20261203T115000Z";
    m.target = "prod";
    m.database = "app";
    m.started_at = m.finished_at = std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count() -
                                   600;
    m.archive_file = "app.archive.gz";
    m.size = bytes.size();
    m.sha256 = m_archive_sha;
    m.mongodump_exit = 0;
    m.valid = true;
    spit(bdir / "manifest.json", mongo::manifest_to_json(m));
    m_manifest = slurp(bdir / "manifest.json");
  }

  // The config of a host whose only destination is `endpoint` (the proxy): one part in flight
  // so the connections a run opens come in a predictable order.
  void write_config(const std::string& endpoint) {
    std::string yaml =
        "timezone: UTC\nstate_dir: " + (m_dir / "state").string() +
        "\nmetrics_file: " + (m_dir / "metrics.prom").string() +
        "\ntargets:\n  - name: prod\n    vmid: 106\n    mongo:\n"
        "      ssh: { host: 127.0.0.1, identity_file: /nonexistent/k, "
        "known_hosts: /nonexistent/kh }\n      database: app\n      backup_dir: " +
        (m_dir / "backups").string() +
        // (a drill section too: the off-site tier is no drill's business)
        "\n    drill:\n      mongo: { checks: [{ collection: temps, query: \"{}\", min_count: 1 "
        "}] }"
        "\noffsite:\n  destinations:\n    - name: rgw\n      endpoint: " +
        endpoint + "\n      region: " + server.region +
        "\n      bucket: " + m_bucket->options().bucket +
        "\n      prefix: pve1/\n      credentials_file: " + (m_dir / "s3.credentials").string() +
        "\n      ca_file: " + server.ca_file +
        "\n      lock: governance\n      parts_in_flight: 1\n"
        "      recipients: [" +
        m_identity->recipient().to_string() + "]\n";
    spit(m_dir / "config.yaml", yaml);
  }

  int run_cli(const std::string& args, std::string& out) {
    const std::string cmd = "env -u CREDENTIALS_DIRECTORY " + std::string(PVE_SMOKERBAK_BINARY) +
                            " -c '" + (m_dir / "config.yaml").string() + "' " + args + " >'" +
                            (m_dir / "out").string() + "' 2>'" + (m_dir / "err").string() + "'";
    const int status = std::system(cmd.c_str());
    out = slurp(m_dir / "out") + slurp(m_dir / "err");
    if (std::getenv("FAULT_VERBOSE")) std::cerr << "$ " << args << "\n" << out << "\n";
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  int run_offsite(std::string& out) { return run_cli("run --tier offsite", out); }

  bool has_receipt() const {
    return has_offsite_copy(m_dir / "state", "prod", TierName::mongo, m_backup_id);
  }
  std::size_t uploads_left() {
    auto left = m_bucket->list_multipart_uploads("pve1/");
    EXPECT_TRUE(left) << left.error().message;
    return left ? left->uploads.size() : 99;
  }
  void expect_local_backup_untouched() {
    const fs::path bdir = m_dir / "backups" / m_backup_id;
    EXPECT_EQ(s3::to_hex(s3::sha256(slurp(bdir / "app.archive.gz"))), m_archive_sha);
    EXPECT_EQ(slurp(bdir / "manifest.json"), m_manifest);
  }

  fs::path m_dir;
  std::string m_backup_id = "backup-20261203-115000";
  std::string m_archive_sha, m_manifest;
  std::optional<age::Identity> m_identity;
  std::unique_ptr<s3::Client> m_bucket;
};

// The link dies 12 MiB into a 20 MiB upload (in the middle of part 2 of 8 MiB parts) and stays
// down: retries and the abort fail, the run fails and says where and why, nothing counts as
// off-site, status shows it. The next run (link back) aborts the upload the failed one left and
// uploads the copy.
TEST_F(OffsiteFaults, ConnectionCutMidPartFailsTheRunAndTheNextRunCleansUpAndSucceeds) {
  add_backup(20 * k_mib);
  FaultProxy proxy(port_of(server.https_endpoint));
  write_config(proxy.https_endpoint());
  proxy.go_down_after(12 * k_mib);
  std::string out;
  EXPECT_EQ(run_offsite(out), 1) << out;
  EXPECT_TRUE(proxy.down());
  EXPECT_GE(proxy.refused(), 1) << "the retries never reached the proxy";
  EXPECT_NE(out.find("off-site destination rgw"), std::string::npos) << out;
  EXPECT_NE(out.find(m_backup_id), std::string::npos) << out;
  EXPECT_NE(out.find("after 5 attempts"), std::string::npos) << "not retried: " << out;
  EXPECT_EQ(out.find("CA file"), std::string::npos)
      << "a lost link is not a trust problem: " << out;
  EXPECT_FALSE(has_receipt());
  EXPECT_EQ(uploads_left(), 1u) << "the failed run's upload should be left (the link was down)";
  std::string status;
  run_cli("status", status);
  EXPECT_NE(status.find("rgw"), std::string::npos) << status;
  EXPECT_NE(status.find("upload of " + m_backup_id), std::string::npos) << status;
  expect_local_backup_untouched();

  proxy.come_back();
  ASSERT_EQ(run_offsite(out), 0) << out;
  EXPECT_TRUE(has_receipt());
  EXPECT_EQ(uploads_left(), 0u) << "the stale multipart upload was not aborted";
  run_cli("status --json", status);
  EXPECT_EQ(status.find("upload of " + m_backup_id), std::string::npos) << status;
  // The tier's own row now counts the run as a success (it said "no successful backup yet").
  const auto j = nlohmann::json::parse(slurp(m_dir / "out"));
  const auto& tier = j.at("targets").at(0).at("tiers").at("offsite");
  EXPECT_TRUE(tier.at("last_success").is_string()) << tier.dump();
  EXPECT_EQ(tier.value("last_success_backup", ""), m_backup_id) << tier.dump();
  EXPECT_EQ(tier.value("state", ""), "ok") << tier.dump();
  const std::string metrics = slurp(m_dir / "metrics.prom");
  EXPECT_NE(metrics.find("pve_smokerbak_last_success_timestamp_seconds{target=\"prod\",tier="
                         "\"offsite\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(
      metrics.find(
          "pve_smokerbak_last_success_timestamp_seconds{target=\"prod\",tier=\"offsite\"} 0\n"),
      std::string::npos)
      << metrics;
}

// 503 SlowDown on three of the run's connections (its first request, then after a healthy
// connection, ...): each is retried after a backoff and the run succeeds with one receipt.
TEST_F(OffsiteFaults, SlowDownIsRetriedAndTheRunSucceeds) {
  add_backup(20 * k_mib);
  FaultProxy proxy(port_of(server.http_endpoint));
  write_config(proxy.http_endpoint());
  const std::string slow = s3_error("SlowDown", "Please reduce your request rate.");
  proxy.answer(503, "Slow Down", slow);
  proxy.pass();
  proxy.answer(503, "Slow Down", slow);
  proxy.pass();
  proxy.answer(503, "Slow Down", slow);
  std::string out;
  ASSERT_EQ(run_offsite(out), 0) << out;
  EXPECT_EQ(proxy.answered(), 3) << "fewer connections than planned faults";
  EXPECT_TRUE(has_receipt());
  EXPECT_EQ(uploads_left(), 0u);
  auto receipts = read_offsite_receipts(m_dir / "state", "prod", TierName::mongo, m_backup_id);
  ASSERT_TRUE(receipts);
  auto head = m_bucket->head_object(receipts->copies.front().key);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->size, age::encrypted_size(20 * k_mib, 1));
}

// Wrong credentials, answered by the real radosgw (SignatureDoesNotMatch): the run fails at
// once with the fix in the message, does not hammer the server, and leaves local backups alone.
TEST_F(OffsiteFaults, WrongCredentialsFailWithoutRetriesAndLeaveLocalBackupsAlone) {
  add_backup(64 * 1024);
  write_credentials(server.access_key, "not-the-secret-key-of-this-user-0123456789");
  FaultProxy proxy(port_of(server.http_endpoint));
  write_config(proxy.http_endpoint());
  std::string out;
  EXPECT_EQ(run_offsite(out), 1) << out;
  EXPECT_NE(out.find("off-site destination rgw"), std::string::npos) << out;
  EXPECT_NE(out.find("credentials file"), std::string::npos) << out;
  EXPECT_EQ(out.find("not-the-secret"), std::string::npos) << "the secret leaked: " << out;
  // Listing stale uploads is refused; the run stops there for this destination (a retry
  // could not help): one request, plus at most the abort-listing's one retry-free repeat.
  EXPECT_LE(requests_in(proxy.sent_by_clients()), 2) << proxy.sent_by_clients().substr(0, 2000);
  EXPECT_FALSE(has_receipt());
  expect_local_backup_untouched();
}

// Expired temporary credentials (403 ExpiredToken, injected on every connection): exit 1, the
// message says to renew them, a handful of requests at most.
TEST_F(OffsiteFaults, ExpiredCredentialsFailWithARenewHint) {
  add_backup(64 * 1024);
  FaultProxy proxy(port_of(server.http_endpoint));
  write_config(proxy.http_endpoint());
  proxy.answer(403, "Forbidden", s3_error("ExpiredToken", "The provided token has expired."), 20);
  std::string out;
  EXPECT_EQ(run_offsite(out), 1) << out;
  EXPECT_NE(out.find("off-site destination rgw"), std::string::npos) << out;
  EXPECT_NE(out.find("renewed"), std::string::npos) << out;
  EXPECT_LE(proxy.answered(), 2) << "retried a refusal that no retry can fix";
  EXPECT_FALSE(has_receipt());
  expect_local_backup_untouched();
}

// The server says the request's time is too far from its own (403 RequestTimeTooSkewed, as
// radosgw answers a host whose clock is off by more than 15 minutes): the operator is told to
// fix the clock.
TEST_F(OffsiteFaults, ClockSkewTellsTheOperatorToFixTheClock) {
  add_backup(64 * 1024);
  FaultProxy proxy(port_of(server.http_endpoint));
  write_config(proxy.http_endpoint());
  proxy.answer(403, "Forbidden",
               s3_error("RequestTimeTooSkewed",
                        "The difference between the request time and the server's time is too "
                        "large."),
               20, "Date: Thu, 03 Dec 2026 09:00:00 GMT\r\n");
  std::string out;
  EXPECT_EQ(run_offsite(out), 1) << out;
  EXPECT_NE(out.find("off-site destination rgw"), std::string::npos) << out;
  EXPECT_NE(out.find("time synchronisation"), std::string::npos) << out;
  EXPECT_NE(out.find("the server's (Thu, 03 Dec 2026 09:00:00 GMT)"), std::string::npos) << out;
  EXPECT_LE(proxy.answered(), 2);
  EXPECT_FALSE(has_receipt());
  expect_local_backup_untouched();
}

// Not a fault, but what an operator runs first: `config check` accepts the credentials file
// in its documented several-line format and finds the bucket usable (it refused the file as
// "more than one line" before).
TEST_F(OffsiteFaults, ConfigCheckAcceptsTheDocumentedCredentialsFile) {
  add_backup(64 * 1024);
  write_config(server.https_endpoint);
  std::string out;
  EXPECT_EQ(run_cli("config check", out), 0) << out;
  EXPECT_EQ(out.find("more than one line"), std::string::npos) << out;
}

// A tmpfs of `mib` MiB mounted on `dir` for the test's lifetime (root only).
class SmallDisk {
 public:
  SmallDisk(const fs::path& dir, int mib) : m_dir(dir) {
    fs::create_directories(dir);
    const std::string opts = "size=" + std::to_string(mib) + "m,mode=0700";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
      m_error = std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (m_error.empty()) ::umount2(m_dir.c_str(), MNT_DETACH);
  }
  const std::string& error() const { return m_error; }
  // What is in it, except `except`.
  std::vector<std::string> entries(const std::string& except = {}) const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(m_dir)) {
      if (e.path().filename() != except) out.push_back(e.path().filename());
    }
    return out;
  }

 private:
  fs::path m_dir;
  std::string m_error;
};

// `offsite fetch` into a directory too small for the backup: refused before downloading,
// with the sizes and the way out, nothing left there.
TEST_F(OffsiteFaults, FetchIntoADiskTooSmallIsRefusedBeforeDownloading) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  add_backup(4 * k_mib);
  write_config(server.https_endpoint);
  std::string out;
  ASSERT_EQ(run_offsite(out), 0) << out;
  SmallDisk disk(m_dir / "small", 1);
  if (!disk.error().empty()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  const int rc =
      run_cli("offsite fetch " + m_backup_id + " --target prod --identity '" +
                  (m_dir / "identity.txt").string() + "' --to '" + (m_dir / "small").string() + "'",
              out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("not enough space"), std::string::npos) << out;
  EXPECT_NE(out.find("--to"), std::string::npos) << out;
  const auto left = disk.entries();
  EXPECT_TRUE(left.empty()) << "left behind: " << (left.empty() ? "" : left.front());
}

// The disk fills up while `offsite fetch` writes (something else takes the space once the
// fetch has begun): the write fails with ENOSPC, the error says the disk is full, and the
// partial copy is removed.
TEST_F(OffsiteFaults, DiskFullWhileFetchingFailsClearlyAndLeavesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  add_backup(40 * k_mib);
  write_config(server.https_endpoint);
  std::string out;
  ASSERT_EQ(run_offsite(out), 0) << out;
  // Room for the free-space check (backup + 64 MiB), then taken away by a filler.
  SmallDisk disk(m_dir / "small", 128);
  if (!disk.error().empty()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  const fs::path filler = m_dir / "small" / "filler";
  std::atomic<bool> stop{false}, filled{false};
  std::thread fill([&] {
    while (!stop && disk.entries().empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (stop) return;
    struct statvfs vfs {};
    ::statvfs((m_dir / "small").c_str(), &vfs);
    const off_t free = static_cast<off_t>(vfs.f_bavail * vfs.f_frsize);
    const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT, 0600);
    for (off_t want = free; fd >= 0 && want > 0; want -= 64 * 1024) {
      if (::fallocate(fd, 0, 0, want) == 0) {
        filled = true;
        break;
      }
    }
    if (fd >= 0) ::close(fd);
  });
  const int rc =
      run_cli("offsite fetch " + m_backup_id + " --target prod --identity '" +
                  (m_dir / "identity.txt").string() + "' --to '" + (m_dir / "small").string() + "'",
              out);
  stop = true;
  fill.join();
  ASSERT_TRUE(filled) << "the filler did not run while the fetch wrote: " << out;
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("the disk is full"), std::string::npos) << out;
  EXPECT_NE(out.find((m_dir / "small").string()), std::string::npos) << "where? " << out;
  EXPECT_NE(out.find("--to"), std::string::npos) << out;
  const auto left = disk.entries("filler");
  EXPECT_TRUE(left.empty()) << "left behind: " << (left.empty() ? "" : left.front());
}

}  // namespace
}  // namespace agent::offsite
