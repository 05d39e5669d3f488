// `pve-smokerbak retention simulate` as operators run it: the built binary, its command-line
// parsing, exit codes and output streams.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct Run {
  int code = -1;
  std::string out;  // stdout and stderr together
};

Run run(const std::string& args) {
  const std::string cmd = std::string(PVE_SMOKERBAK_BIN) + " " + args + " 2>&1";
  Run r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class SimulateBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("smokerbak-simulate-" + std::to_string(::getpid()));
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = m_dir / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path m_dir;
};

TEST_F(SimulateBinary, MarksAJsonFileAndPrintsJson) {
  const auto file = write("in.json", R"([{"id": "a", "ctime": 1700000000},
                                         {"id": "b", "ctime": 1700003600}])");
  const auto r =
      run("retention simulate --policy keep-last=1 --timezone UTC --json --input " + file);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find(R"("mark": "remove")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("reason": "keep: last 1/1")"), std::string::npos) << r.out;
}

TEST_F(SimulateBinary, ReadsStdinWithDash) {
  const auto file = write("in.json", R"([{"id": "a", "ctime": 1700000000}])");
  const auto r = run("retention simulate --policy keep-daily=1 --timezone UTC --input - < " + file);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("keep: daily 1/1"), std::string::npos) << r.out;
}

TEST_F(SimulateBinary, NotJsonExitsTwo) {
  const auto file = write("in.json", "this is not json");
  const auto r = run("retention simulate --policy keep-last=1 --input " + file);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("input is not valid JSON"), std::string::npos) << r.out;
}

TEST_F(SimulateBinary, UnknownZoneExitsTwo) {
  const auto r =
      run("retention simulate --policy keep-last=1 --timezone Europe/Nowhere "
          "--generate 2025-01-01,2025-01-02,1d");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("unknown time zone \"Europe/Nowhere\""), std::string::npos) << r.out;
}

TEST_F(SimulateBinary, BadPolicyExitsTwo) {
  const auto r =
      run("retention simulate --policy keep-all=1,keep-daily=7 "
          "--generate 2025-01-01,2025-01-02,1d");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("keep-all cannot be set together with other options"), std::string::npos)
      << r.out;
}

TEST_F(SimulateBinary, MissingPolicyAndConflictingSourcesAreUsageErrors) {
  EXPECT_EQ(run("retention simulate --generate 2025-01-01,2025-01-02,1d").code, 2);
  EXPECT_EQ(run("retention simulate --policy keep-last=1 --input x --generate "
                "2025-01-01,2025-01-02,1d")
                .code,
            2);
}

TEST_F(SimulateBinary, HelpDocumentsInputFormatGenerateFormsAndExitCodes) {
  const auto r = run("retention simulate --help");
  EXPECT_EQ(r.code, 0);
  for (const char* needle : {"--policy", "--timezone", "--input", "--generate", "--json",
                             "YYYY-MM-DDTHH:MM", "epoch seconds", "Exit codes"}) {
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle;
  }
}

}  // namespace
