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
