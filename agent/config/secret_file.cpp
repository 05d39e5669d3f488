// read_secret(): the one place that reads secret files (API token, MongoDB password).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "agent/config/config_loader.hpp"
#include "agent/config/file_trust.hpp"
#include "agent/core/log.hpp"

namespace agent {
namespace {

// Closes the descriptor on every path out of read_secret().
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  ~FileDescriptor() {
    if (m_fd >= 0) ::close(m_fd);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return m_fd; }

 private:
  int m_fd;
};

// The loader resolved credential names under $CREDENTIALS_DIRECTORY already (the one place
// that reads it); a name still relative here means the variable was not set.
tl::expected<std::filesystem::path, std::string> resolve(const SecretRef& ref) {
  if (ref.path.empty()) return tl::make_unexpected(std::string("no secret file configured"));
  if (!ref.from_credentials || ref.path.is_absolute()) return ref.path;
  return tl::make_unexpected("credential \"" + ref.path.string() +
                             "\": $CREDENTIALS_DIRECTORY is not set; run under systemd with "
                             "LoadCredential=" +
                             ref.path.string() + ":FILE, or configure an absolute path");
}

}  // namespace

tl::expected<std::string, std::string> read_secret(const SecretRef& ref, bool several_lines) {
  auto resolved = resolve(ref);
  if (!resolved) return tl::make_unexpected(resolved.error());
  const std::string file = resolved->string();

  // open() first and fstat() the descriptor, so the checks apply to what is actually read.
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    const int err = errno;
    return tl::make_unexpected("secret file " + file + ": cannot open: " + std::strerror(err) +
                               (err == ENOENT ? " (create it with mode 600, owned by root)" : ""));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return tl::make_unexpected("secret file " + file + ": cannot stat: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return tl::make_unexpected("secret file " + file + ": not a regular file");
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return tl::make_unexpected("secret file " + file + ": owned by uid " +
                               std::to_string(st.st_uid) +
                               ", must be owned by root or the user running pve-smokerbak; "
                               "fix with: chown root:root " +
                               file);
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return tl::make_unexpected("secret file " + file + ": mode " + mode +
                               " gives group/other access; fix with: chmod 600 " + file +
                               " && chown root:root " + file);
  }

  if (auto problem = untrusted_file_problem(file, "secret file")) {
    return tl::make_unexpected(*problem);
  }

  std::string secret;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::make_unexpected("secret file " + file + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) break;
    secret.append(buffer, static_cast<std::size_t>(n));
    if (secret.size() > 64 * 1024) {
      return tl::make_unexpected("secret file " + file +
                                 ": larger than 64 KiB; it must hold only the secret");
    }
  }
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) {
    return tl::make_unexpected("secret file " + file + ": is empty");
  }
  if (several_lines) return secret;  // the caller registers each value it takes from it
  if (secret.find('\n') != std::string::npos) {
    return tl::make_unexpected("secret file " + file +
                               ": holds more than one line; it must hold only the secret");
  }
  register_secret(secret);
  return secret;
}

}  // namespace agent
