// drill.vzdump.check in the vzdump drill against the Proxmox simulator: the command runs in the
// running copy through the stand-in `pct exec` (tests/fake_mongo/pct.sh, which runs it here and
// can answer "not ready" a few times); a check that answers is verified, one that fails or hangs
// fails the drill with its exit status or timeout, and the copy is destroyed in every case.
#include <cstdlib>
#include <fstream>

#include "tests/agent_drill/vzdump_drill_fixture.hpp"
#include "tests/fake_mongo/fake_mongo_paths.hpp"

namespace agent {
namespace {

using drill_testing::k_scratch;
using drill_testing::steps_of;

class ContainerCheckTest : public drill_testing::VzdumpDrillTest {
 protected:
  void configure(std::vector<std::string> command, int timeout_s = 5) {
    start();
    pct_dir = harness.dir() / "pct";
    std::filesystem::create_directories(pct_dir);
    ::setenv("FAKE_MONGO_DIR", pct_dir.c_str(), 1);
    DrillCheckConfig check;
    check.command = std::move(command);
    check.pct = std::filesystem::path(fake_mongo::k_fake_mongo_bin_dir) / "pct";
    check.timeout_s = timeout_s;
    config.targets[0].drill->vzdump->check = check;
  }
  ~ContainerCheckTest() override { ::unsetenv("FAKE_MONGO_DIR"); }

  std::vector<std::string> pct_calls() const {
    std::vector<std::string> lines;
    std::ifstream in(pct_dir / "pct.calls");
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::filesystem::path pct_dir;
};

TEST_F(ContainerCheckTest, ACheckThatAnswersIsVerifiedAfterTheCopyIsReady) {
  configure({"echo", "docker active"});
  backup();
  std::ofstream(pct_dir / "pct-fail-9106") << "2\n";  // "not ready" twice, then it answers
  const auto r = run_drill().record;
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(steps_of(r), "fetch,restore,boot,checks,cleanup");
  ASSERT_EQ(r.verified.size(), 3u);
  EXPECT_EQ(r.verified[2], "`pct exec 9106 -- echo docker active` answered (exit 0, attempt 3)");
  EXPECT_EQ(pct_calls(), std::vector<std::string>(3, "9106 echo docker active"));
  ASSERT_TRUE(r.step_seconds("checks"));
  EXPECT_GT(r.rto_s, *r.step_seconds("checks"));
  EXPECT_FALSE(sim->guest(k_scratch));
}

TEST_F(ContainerCheckTest, AFailingCheckFailsTheDrillWithItsExitStatusAndTheCopyIsDestroyed) {
  // 3 s: the first attempt must end on its own even on a loaded machine.
  configure({"sh", "-c", "echo 'docker: inactive' >&2; exit 3"}, 3);
  backup();
  const auto r = run_drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::invalid);
  EXPECT_NE(r.error.find("failed its check: `pct exec 9106 -- sh -c echo 'docker: inactive' >&2; "
                         "exit 3` exited 3"),
            std::string::npos)
      << r.error;
  EXPECT_NE(r.error.find("output: \"docker: inactive\""), std::string::npos) << r.error;
  EXPECT_GE(pct_calls().size(), 2u);  // tried again until the timeout
  EXPECT_EQ(steps_of(r), "fetch,restore,boot,checks,cleanup");
  EXPECT_FALSE(sim->guest(k_scratch));
  EXPECT_EQ(posts("/nodes/pve1/lxc/9106/status/stop").size(), 1u);
}

TEST_F(ContainerCheckTest, AHangingCheckIsKilledAtItsTimeoutAndTheCopyIsDestroyed) {
  configure({"sleep", "60"}, 1);
  backup();
  const auto started = std::chrono::steady_clock::now();
  const auto r = run_drill().record;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::invalid);
  EXPECT_NE(r.error.find("`pct exec 9106 -- sleep 60` did not answer within 1 s (killed)"),
            std::string::npos)
      << r.error;
  EXPECT_FALSE(sim->guest(k_scratch));
}

TEST_F(ContainerCheckTest, WithoutPctTheDrillFailsAndSaysWhatTheCheckNeeds) {
  configure({"true"});
  config.targets[0].drill->vzdump->check->pct = harness.dir() / "no-such-pct";
  backup();
  const auto r = run_drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::local_io);
  EXPECT_NE(r.error.find("needs the node's pct"), std::string::npos) << r.error;
  EXPECT_FALSE(sim->guest(k_scratch));
}

TEST_F(ContainerCheckTest, OutputIsBoundedAndEscaped) {
  configure({"sh", "-c", "printf '\\033[31mred\\n'; head -c 100000 /dev/zero | tr '\\0' x; exit 1"},
            3);
  backup();
  const auto r = run_drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.find('\033'), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("(cut)"), std::string::npos) << r.error;
  EXPECT_LT(r.error.size(), 1000u) << r.error;
}

TEST_F(ContainerCheckTest, DryRunPlansTheCheck) {
  configure({"systemctl", "is-active", "docker"});
  backup();
  const auto out = run_drill(true);
  ASSERT_FALSE(out.plan.empty());
  EXPECT_NE(out.plan.back().find("run `pct exec 9106 -- systemctl is-active docker` until it "
                                 "exits 0 (5 s at most)"),
            std::string::npos)
      << out.plan.back();
  EXPECT_TRUE(pct_calls().empty());
}

}  // namespace
}  // namespace agent
