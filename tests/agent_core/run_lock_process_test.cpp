// The run lock between two real processes (label integration: it forks).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/core/run_lock.hpp"
#include "tests/agent_config/test_files.hpp"

namespace {

TEST(RunLock, ContentionWithAnotherProcessReportsItsPid) {
  TempDir dir;
  int to_parent[2];
  int to_child[2];
  ASSERT_EQ(::pipe(to_parent), 0);
  ASSERT_EQ(::pipe(to_child), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Child: take the lock, tell the parent, hold it until the parent says go.
    auto lock = agent::RunLock::acquire(dir.path());
    const char ready = lock ? 'y' : 'n';
    (void)!::write(to_parent[1], &ready, 1);
    char go = 0;
    (void)!::read(to_child[0], &go, 1);
    ::_exit(0);
  }
  char ready = 0;
  ASSERT_EQ(::read(to_parent[0], &ready, 1), 1);
  ASSERT_EQ(ready, 'y');

  const auto blocked = agent::RunLock::acquire(dir.path());
  ASSERT_FALSE(blocked.has_value());
  EXPECT_EQ(blocked.error().kind, agent::RunLockError::Kind::held);
  EXPECT_EQ(blocked.error().holder_pid, child);

  (void)!::write(to_child[1], "g", 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  // The kernel dropped the dead child's lock: no stale lock file to clean up.
  EXPECT_TRUE(agent::RunLock::acquire(dir.path()).has_value());
  for (int fd : {to_parent[0], to_parent[1], to_child[0], to_child[1]}) ::close(fd);
}

}  // namespace
