#include "agent/core/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace agent {
namespace {

RunLockError io_error(const std::filesystem::path& path, const std::string& what, int err) {
  return {RunLockError::Kind::io, std::nullopt,
          "run lock " + path.string() + ": " + what + ": " + std::strerror(err)};
}

// The PID the current holder wrote, if it could be read.
std::optional<pid_t> read_holder_pid(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return std::nullopt;
  pid_t pid = 0;
  const char* end = buffer + n;
  const auto [ptr, ec] = std::from_chars(buffer, end, pid);
  if (ec != std::errc() || ptr == buffer || pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace

tl::expected<RunLock, RunLockError> RunLock::acquire(const std::filesystem::path& state_dir) {
  const std::filesystem::path path = state_dir / "run.lock";
  std::error_code ec;
  if (std::filesystem::create_directories(state_dir, ec)) {
    std::filesystem::permissions(state_dir, std::filesystem::perms::owner_all, ec);
  }
  if (ec) {
    return tl::make_unexpected(
        io_error(state_dir, "cannot create the state directory", ec.value()));
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return tl::make_unexpected(io_error(path, "cannot open", errno));
  RunLock lock(fd, path);  // closes fd on every return below

  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return tl::make_unexpected(io_error(path, "flock failed", errno));
    const auto holder = read_holder_pid(fd);
    std::string message = "another pve-smokerbak run holds the lock " + path.string();
    message += holder ? " (PID " + std::to_string(*holder) + ")" : " (PID unknown)";
    message += "; try again when it has finished";
    return tl::make_unexpected(RunLockError{RunLockError::Kind::held, holder, message});
  }

  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return tl::make_unexpected(io_error(path, "cannot write our PID", errno));
  }
  return lock;
}

RunLock::RunLock(RunLock&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    release();
    m_fd = std::exchange(other.m_fd, -1);
    m_path = std::move(other.m_path);
  }
  return *this;
}

RunLock::~RunLock() { release(); }

// Closing the descriptor releases the flock. The file stays: removing it would race with a
// process that opened it and is about to lock it.
void RunLock::release() noexcept {
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
}

}  // namespace agent
