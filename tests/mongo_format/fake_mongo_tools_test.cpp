// The stand-in mongodump/mongorestore as processes: real archive bytes the agent's validator
// accepts, the real stderr lines, the password read from stdin, and each fault mode.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/archive_export.hpp"
#include "agent/mongo_format/archive_validator.hpp"
#include "agent/mongo_format/dump_log.hpp"
#include "tests/fake_mongo/fake_mongo_paths.hpp"

extern char** environ;

namespace fs = std::filesystem;
namespace mf = agent::mongo_format;

namespace {

constexpr const char* k_password = "pw-Fa1ke-\xC3\xA9";

struct Result {
  int exit_code = -1;
  std::string out, err;
  double seconds = 0;
};

// Runs `argv` with FAKE_MONGO_DIR=dir, writes `input` to its stdin, collects stdout/stderr.
Result run(const fs::path& dir, const std::vector<std::string>& argv, const std::string& input) {
  int in[2], out[2], err[2];
  EXPECT_EQ(pipe(in), 0);
  EXPECT_EQ(pipe(out), 0);
  EXPECT_EQ(pipe(err), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
    posix_spawn_file_actions_addclose(&fa, fd);
  std::vector<std::string> env_store = {"FAKE_MONGO_DIR=" + dir.string(), "PATH=/usr/bin:/bin"};
  std::vector<char*> envp, args;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_store = argv;
  for (auto& a : argv_store) args.push_back(a.data());
  args.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  Result r;
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << argv[0];
    return r;
  }
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (input.empty()) close(in[1]);
  bool in_open = !input.empty(), out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out[0], POLLIN, 0});
    if (err_open) fds.push_back({err[0], POLLIN, 0});
    if (in_open) fds.push_back({in[1], POLLOUT, 0});
    poll(fds.data(), fds.size(), 10000);
    for (auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in[1]) {
        const ssize_t n = write(in[1], input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 || written == input.size()) {
          close(in[1]);
          in_open = false;
        }
        continue;
      }
      const ssize_t n = read(p.fd, buf, sizeof buf);
      if (n <= 0) {
        (p.fd == out[0] ? out_open : err_open) = false;
        continue;
      }
      (p.fd == out[0] ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
    }
  }
  if (in_open) close(in[1]);
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

class FakeMongoTools : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("fake-mongo-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    configure({});
  }
  void TearDown() override { fs::remove_all(m_dir); }

  void configure(const std::map<std::string, std::string>& extra) {
    std::ofstream c(m_dir / "config");
    c << "password=" << k_password << "\nusername=backup\ndb=smoker\n";
    for (const auto& [k, v] : extra) c << k << "=" << v << "\n";
  }
  Result dump(const std::string& password = k_password) {
    return run(m_dir,
               {bin("mongodump"), "--archive", "--gzip", "--db=smoker", "--username=backup",
                "--authenticationDatabase=admin"},
               password + "\n");
  }
  // A whole-instance dump (no --db), optionally with --oplog.
  Result dump_instance(bool oplog) {
    std::vector<std::string> argv = {bin("mongodump"), "--archive", "--gzip", "--username=backup",
                                     "--authenticationDatabase=admin"};
    if (oplog) argv.push_back("--oplog");
    return run(m_dir, argv, std::string(k_password) + "\n");
  }
  Result hostile_dump(const std::string& modes, std::map<std::string, std::string> extra = {}) {
    extra["hostile"] = modes;
    configure(extra);
    return dump();
  }
  static mf::ArchiveVerdict validate(const std::string& bytes, const mf::ArchiveLimits& limits) {
    mf::ArchiveValidator v(true, limits);
    v.feed(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return v.finish();
  }
  static bool safe_text(const std::string& s) {
    return agent::is_valid_utf8(s) && s.find('\x1B') == std::string::npos &&
           s.find('\r') == std::string::npos;
  }
  static std::string bin(const char* tool) {
    return (fs::path(fake_mongo::k_fake_mongo_bin_dir) / tool).string();
  }
  static mf::ArchiveVerdict validate(const std::string& bytes) {
    mf::ArchiveValidator v(true);
    v.feed(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return v.finish();
  }

  fs::path m_dir;
};

}  // namespace

TEST_F(FakeMongoTools, DumpReadsThePasswordFromStdinAndWritesAValidArchive) {
  const Result r = dump();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("reading password from standard input"), std::string::npos);
  EXPECT_NE(r.err.find("\nEnter password for mongo user:\n"), std::string::npos);
  EXPECT_NE(r.err.find("\twriting smoker.temps to archive on stdout\n"), std::string::npos);
  EXPECT_NE(r.err.find("\tdone dumping smoker.temps (4000 documents)\n"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find(k_password), std::string::npos) << "password echoed";
  EXPECT_EQ(r.out.substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
  auto v = validate(r.out);
  ASSERT_TRUE(v.valid) << v.errors[0];
  mf::check_counts(v, mf::parse_dump_log(r.err));
  EXPECT_TRUE(v.valid) << (v.errors.empty() ? "" : v.errors[0]);
}

TEST_F(FakeMongoTools, DumpIsByteForByteDeterministic) { EXPECT_EQ(dump().out, dump().out); }

TEST_F(FakeMongoTools, WrongPasswordFailsLikeTheRealTool) {
  const Result r = dump("not-it");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  const auto log = mf::parse_dump_log(r.err);
  ASSERT_TRUE(log.failed.has_value()) << r.err;
  EXPECT_NE(log.failed->find("(AuthenticationFailed) Authentication failed."), std::string::npos);
}

TEST_F(FakeMongoTools, ExitMidwayLeavesAnInvalidArchiveAndAFailedLine) {
  configure({{"fault", "exit_midway"}});
  const Result r = dump();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(mf::parse_dump_log(r.err).failed.has_value());
  EXPECT_FALSE(r.out.empty());
  EXPECT_FALSE(validate(r.out).valid);
}

TEST_F(FakeMongoTools, TruncatedStreamExitsZeroButDoesNotValidate) {
  configure({{"fault", "truncate"}, {"fault_after_bytes", "20000"}});
  const Result r = dump();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 20000u);
  const auto v = validate(r.out);
  EXPECT_FALSE(v.valid);
}

TEST_F(FakeMongoTools, CorruptedCrcIsCaughtByTheValidator) {
  configure({{"fault", "corrupt_crc"}});
  const Result r = dump();
  EXPECT_EQ(r.exit_code, 0);
  const auto v = validate(r.out);
  ASSERT_FALSE(v.valid);
  EXPECT_NE(v.errors[0].find("CRC mismatch for namespace smoker.temps"), std::string::npos);
}

TEST_F(FakeMongoTools, LogCountsThatDisagreeWithTheArchiveAreCaught) {
  configure({{"fault", "count_mismatch"}});
  const Result r = dump();
  auto v = validate(r.out);
  ASSERT_TRUE(v.valid);
  mf::check_counts(v, mf::parse_dump_log(r.err));
  EXPECT_FALSE(v.valid);
}

TEST_F(FakeMongoTools, StalledStreamKeepsTheChannelOpenWithoutData) {
  configure({{"fault", "stall"}, {"stall_seconds", "1"}});
  const Result r = dump();
  EXPECT_GE(r.seconds, 1.0);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(validate(r.out).valid);
}

TEST_F(FakeMongoTools, RestoreReadsPasswordThenArchiveFromStdinAndRenames) {
  const std::string archive = dump().out;
  const Result r = run(
      m_dir,
      {bin("mongorestore"), "--archive", "--gzip", "--nsFrom=smoker.*", "--nsTo=verify_smoker.*",
       "--drop", "--username=backup", "--authenticationDatabase=admin"},
      std::string(k_password) + "\n" + archive);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("4445 document(s) restored successfully. 0 document(s) failed to restore."),
            std::string::npos)
      << r.err;
  std::ifstream rec(m_dir / "restored");
  const std::string restored{std::istreambuf_iterator<char>(rec), std::istreambuf_iterator<char>()};
  EXPECT_NE(restored.find("run drop=1\n"), std::string::npos);
  EXPECT_NE(restored.find("verify_smoker.temps\t4000\n"), std::string::npos) << restored;
}

TEST_F(FakeMongoTools, RestoreRefusesACorruptArchive) {
  configure({{"fault", "corrupt_crc"}});
  const std::string archive = dump().out;
  const Result r = run(m_dir, {bin("mongorestore"), "--archive", "--gzip", "--username=backup"},
                       std::string(k_password) + "\n" + archive);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Failed: "), std::string::npos);
  EXPECT_FALSE(fs::exists(m_dir / "restored"));
}

// The hostile modes (README.md): what a compromised container can send, each met by one clean
// verdict at the validator / dump log / export level.

TEST_F(FakeMongoTools, HostileTraversalAndAbsoluteDatabaseNamesAreRefused) {
  for (const char* mode : {"traversal_db", "absolute_db"}) {
    const Result r = hostile_dump(mode);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto v = validate(r.out);
    EXPECT_FALSE(v.valid) << mode;
    ASSERT_FALSE(v.errors.empty());
    EXPECT_NE(v.errors.front().find("not a mongodump archive"), std::string::npos)
        << v.errors.front();
    // Export of that stream: nothing written, not even next to the output directory.
    const fs::path file = m_dir / "hostile.gz", out = m_dir / "a" / "b" / "out";
    std::ofstream(file, std::ios::binary) << r.out;
    fs::create_directories(m_dir / "a" / "b");
    EXPECT_FALSE(mf::export_archive_to_directory(file, out));
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(m_dir / "x"));
  }
}

TEST_F(FakeMongoTools, HostileInvalidUtf8NamesHeaderAndFailedLineStaySafeText) {
  Result r = hostile_dump("invalid_utf8_name");
  auto v = validate(r.out);
  EXPECT_FALSE(v.valid);
  ASSERT_FALSE(v.errors.empty());
  EXPECT_NE(v.errors.front().find("not valid UTF-8"), std::string::npos) << v.errors.front();
  EXPECT_TRUE(safe_text(v.errors.front()));

  r = hostile_dump("invalid_utf8_header");
  v = validate(r.out);
  EXPECT_TRUE(v.valid) << v.errors.front();
  EXPECT_TRUE(safe_text(v.tool_version)) << v.tool_version;

  r = hostile_dump("invalid_utf8_failed");
  EXPECT_EQ(r.exit_code, 1);
  v = validate(r.out);
  const auto log = mf::parse_dump_log(r.err);
  ASSERT_TRUE(log.failed.has_value());
  EXPECT_FALSE(safe_text(*log.failed));  // raw, as mongodump wrote it
  EXPECT_TRUE(safe_text(mf::failure_text(log))) << mf::failure_text(log);
  mf::check_counts(v, log);
  EXPECT_FALSE(v.valid);
  for (const auto& e : v.errors) EXPECT_TRUE(safe_text(e)) << agent::escape_control_chars(e);
}

TEST_F(FakeMongoTools, HostileOverflowingCountFailsTheCheckInsteadOfThrowing) {
  const Result r = hostile_dump("overflowing_count");
  auto v = validate(r.out);
  ASSERT_TRUE(v.valid);
  mf::DumpLog log;
  ASSERT_NO_THROW(log = mf::parse_dump_log(r.err));
  mf::check_counts(v, log);
  EXPECT_FALSE(v.valid);
  EXPECT_NE(v.errors.back().find("not a 64-bit number"), std::string::npos) << v.errors.back();
}

TEST_F(FakeMongoTools, HostileDeepDocumentsGetACleanVerdict) {
  const Result r = hostile_dump("deep_document");
  const auto v = validate(r.out);
  EXPECT_FALSE(v.valid);
  ASSERT_FALSE(v.errors.empty());
  EXPECT_NE(v.errors.front().find("nest deeper than MongoDB allows"), std::string::npos)
      << v.errors.front();
}

TEST_F(FakeMongoTools, HostileGzipBombIsStoppedByTheCap) {
  const Result r = hostile_dump("gzip_bomb", {{"bomb_bytes", std::to_string(8ull << 30)}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(r.out.size(), 16u << 20);  // 8 GiB of archive in a few MB
  mf::ArchiveLimits limits;
  limits.max_inflated_bytes = mf::inflated_size_cap(1 << 20, {});  // previous backup: 1 MiB
  const auto v = validate(r.out, limits);
  EXPECT_FALSE(v.valid);
  EXPECT_TRUE(v.size_cap_exceeded);
  EXPECT_NE(v.errors.front().find("gzip bomb"), std::string::npos) << v.errors.front();
}

TEST_F(FakeMongoTools, HostileMultiMemberGzipIsOneValidArchive) {
  const Result r = hostile_dump("multi_member");
  auto v = validate(r.out);
  ASSERT_TRUE(v.valid) << v.errors.front();
  EXPECT_EQ(v.gzip_members, 2u);
  mf::check_counts(v, mf::parse_dump_log(r.err));
  EXPECT_TRUE(v.valid) << (v.errors.empty() ? "" : v.errors.front());
  EXPECT_EQ(v.total_documents(), 4445u);
}

TEST_F(FakeMongoTools, HostileEscapesReachStderrAndLeaveTheCountsAlone) {
  const Result r = hostile_dump("escapes");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("\x1B[2J"), std::string::npos);
  EXPECT_NE(r.err.find("\rFailed: "), std::string::npos);
  auto v = validate(r.out);
  const auto log = mf::parse_dump_log(r.err);
  EXPECT_FALSE(log.failed.has_value());  // a "Failed:" after \r is not mongodump's line start
  mf::check_counts(v, log);
  EXPECT_TRUE(v.valid) << (v.errors.empty() ? "" : v.errors.front());
  std::size_t pos = 0;
  while (pos < r.err.size()) {
    const auto nl = std::min(r.err.find('\n', pos), r.err.size());
    EXPECT_TRUE(safe_text(agent::escape_control_chars(r.err.substr(pos, nl - pos))));
    pos = nl + 1;
  }
}

TEST_F(FakeMongoTools, OplogDumpOfAWholeInstanceIsValidWithItsOplogCount) {
  const Result r = dump_instance(true);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("\twriting captured oplog to archive on stdout\n"), std::string::npos);
  EXPECT_NE(r.err.find("\t\tdumped 20 oplog entries\n"), std::string::npos) << r.err;
  auto v = validate(r.out);
  ASSERT_TRUE(v.valid) << v.errors.front();
  const auto log = mf::parse_dump_log(r.err);
  EXPECT_EQ(log.oplog_entries.value_or(0), 20u);
  mf::check_counts(v, log);
  EXPECT_TRUE(v.valid) << (v.errors.empty() ? "" : v.errors.front());

  // --oplog with --db is refused as by the real tool.
  const Result refused = run(m_dir,
                             {bin("mongodump"), "--archive", "--gzip", "--db=smoker", "--oplog",
                              "--username=backup", "--authenticationDatabase=admin"},
                             std::string(k_password) + "\n");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("Failed: bad option: --oplog mode only supported on full dumps"),
            std::string::npos);
}

TEST_F(FakeMongoTools, RestoreReplaysTheOplogWithOplogReplay) {
  const std::string archive = dump_instance(true).out;
  const Result r = run(m_dir,
                       {bin("mongorestore"), "--archive", "--gzip", "--oplogReplay", "--drop",
                        "--username=backup", "--authenticationDatabase=admin"},
                       std::string(k_password) + "\n" + archive);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("\treplaying oplog\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\tapplied 20 oplog entries\n"), std::string::npos) << r.err;
  std::ifstream rec(m_dir / "restored");
  const std::string restored{std::istreambuf_iterator<char>(rec), std::istreambuf_iterator<char>()};
  EXPECT_NE(restored.find("oplog_replay\t20\n"), std::string::npos) << restored;
  EXPECT_EQ(restored.find(".oplog\t"), std::string::npos) << restored;
}
