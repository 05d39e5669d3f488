#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include <tl/expected.hpp>

// The run lock: at most one `pve-smokerbak run` (or other state-changing command) at a time
// per state directory.
namespace agent {

struct RunLockError {
  enum class Kind { held, io };
  Kind kind = Kind::io;
  std::optional<pid_t> holder_pid;  // for Kind::held, when the holder wrote its PID
  std::string message;              // for people: names the lock file and the holder's PID
};

// An exclusive flock(2) on `state_dir`/run.lock, held until destruction. The kernel drops the
// lock when the process dies, so a crashed run never leaves a stale lock behind; the PID
// written into the file is only informational (for the "held by PID" message).
class RunLock {
 public:
  // Non-blocking. Creates `state_dir` (mode 0700) and the lock file when missing. On
  // contention returns Kind::held with the holder's PID; other failures are Kind::io.
  static tl::expected<RunLock, RunLockError> acquire(const std::filesystem::path& state_dir);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

  const std::filesystem::path& path() const { return m_path; }

 private:
  RunLock(int fd, std::filesystem::path path) : m_fd(fd), m_path(std::move(path)) {}
  void release() noexcept;

  int m_fd = -1;
  std::filesystem::path m_path;
};

}  // namespace agent
