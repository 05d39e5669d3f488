#include "agent/core/run_lock.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/agent_config/test_files.hpp"

namespace {

TEST(RunLock, CreatesStateDirAndWritesOurPid) {
  TempDir dir;
  const auto state = dir.path() / "state";
  auto lock = agent::RunLock::acquire(state);
  ASSERT_TRUE(lock.has_value()) << lock.error().message;
  EXPECT_EQ(lock->path(), state / "run.lock");
  EXPECT_EQ(read_text(state / "run.lock"), std::to_string(::getpid()) + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

// flock locks belong to the open file description, so a second acquire in the same process
// contends exactly like a second process would.
TEST(RunLock, SecondAcquireFailsNamingTheHolderPid) {
  TempDir dir;
  auto first = agent::RunLock::acquire(dir.path());
  ASSERT_TRUE(first.has_value());
  const auto second = agent::RunLock::acquire(dir.path());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, agent::RunLockError::Kind::held);
  EXPECT_EQ(second.error().holder_pid, ::getpid());
  EXPECT_EQ(second.error().message,
            "another pve-smokerbak run holds the lock " + (dir.path() / "run.lock").string() +
                " (PID " + std::to_string(::getpid()) + "); try again when it has finished");
  // The failed attempt must not have overwritten the holder's PID.
  EXPECT_EQ(read_text(dir.path() / "run.lock"), std::to_string(::getpid()) + "\n");
}

TEST(RunLock, ReleasedOnDestructionAndAfterMove) {
  TempDir dir;
  {
    auto lock = agent::RunLock::acquire(dir.path());
    ASSERT_TRUE(lock.has_value());
    agent::RunLock moved = std::move(*lock);
    EXPECT_FALSE(agent::RunLock::acquire(dir.path()).has_value());
  }
  EXPECT_TRUE(agent::RunLock::acquire(dir.path()).has_value());
}

TEST(RunLock, UnwritableStateDirIsAnIoError) {
  TempDir dir;
  const auto file = dir.write("not-a-dir", "x");
  const auto lock = agent::RunLock::acquire(file / "state");
  ASSERT_FALSE(lock.has_value());
  EXPECT_EQ(lock.error().kind, agent::RunLockError::Kind::io);
  EXPECT_FALSE(lock.error().holder_pid.has_value());
}

}  // namespace
