// harden_process() in a child process (it cannot be undone in the test process itself).
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "agent/core/process_hardening.hpp"

namespace {

TEST(ProcessHardening, MakesTheProcessNonDumpableWithNoCoreLimit) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1) ::_exit(10);  // dumpable before
    if (agent::harden_process()) ::_exit(11);
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) ::_exit(12);
    rlimit core{};
    if (::getrlimit(RLIMIT_CORE, &core) != 0) ::_exit(13);
    if (core.rlim_cur != 0 || core.rlim_max != 0) ::_exit(14);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "child step that failed: " << WEXITSTATUS(status);
}

}  // namespace
