#include "tests/sshd_fixture/sshd_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace testing_support {
namespace fs = std::filesystem;
namespace {

constexpr const char* k_sshd = "/usr/sbin/sshd";

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int run_shell(const std::string& command_line) {
  const int rc = std::system(command_line.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

SshdFixture::SshdFixture(std::vector<fs::path> path_dirs) : m_path_dirs(std::move(path_dirs)) {
  if (access(k_sshd, X_OK) != 0) {
    m_unavailable = "/usr/sbin/sshd not installed (package openssh-server)";
    return;
  }
  std::string templ = (fs::temp_directory_path() / "smokerbak-sshd-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) {
    m_unavailable = "cannot create a temp directory";
    return;
  }
  m_dir = templ;
  std::error_code ec;
  fs::create_directories("/run/sshd", ec);  // privilege separation dir, absent in containers
  const std::string d = m_dir.string();
  if (run_shell("ssh-keygen -q -t ed25519 -N '' -C fixture-host -f '" + d +
                "/host_ed25519' && ssh-keygen -q -t ed25519 -N '' -C fixture-user -f '" + d +
                "/user_ed25519' && cp '" + d + "/user_ed25519.pub' '" + d + "/authorized_keys'") !=
      0) {
    m_unavailable = "ssh-keygen failed";
    return;
  }
  for (int attempt = 0; attempt < 5 && m_pid < 0; ++attempt) {
    m_port = free_port();
    start();
  }
  if (m_pid < 0) {
    m_unavailable = "sshd did not start; see " + (m_dir / "sshd.log").string() + ": " +
                    read_file(m_dir / "sshd.log");
    return;
  }
  // known_hosts entry for [127.0.0.1]:port with the host key (without its comment).
  std::istringstream pub(read_file(host_public_key()));
  std::string type, key;
  pub >> type >> key;
  std::ofstream(known_hosts()) << "[127.0.0.1]:" << m_port << " " << type << " " << key << "\n";
}

SshdFixture::~SshdFixture() {
  stop();
  if (!m_dir.empty()) {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
}

std::string SshdFixture::user() const {
  const passwd* pw = getpwuid(getuid());
  return pw != nullptr ? pw->pw_name : "root";
}

remote::SshOptions SshdFixture::options(int io_timeout_s) const {
  remote::SshOptions o;
  o.host = "127.0.0.1";
  o.port = m_port;
  o.user = user();
  o.identity_file = identity_file();
  o.known_hosts = known_hosts();
  o.connect_timeout_s = 5;
  o.io_timeout_s = io_timeout_s;
  return o;
}

bool SshdFixture::start() {
  std::string path;
  for (const auto& p : m_path_dirs) path += p.string() + ":";
  path += "/usr/local/bin:/usr/bin:/bin";
  const fs::path config = m_dir / "sshd_config";
  std::ofstream(config) << "ListenAddress 127.0.0.1\n"
                        << "Port " << m_port << "\n"
                        << "HostKey " << (m_dir / "host_ed25519").string() << "\n"
                        << "AuthorizedKeysFile " << (m_dir / "authorized_keys").string() << "\n"
                        << "PidFile " << (m_dir / "sshd.pid").string() << "\n"
                        << "UsePAM no\nStrictModes no\nPasswordAuthentication no\n"
                        << "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
                        << "PermitRootLogin prohibit-password\nAllowTcpForwarding no\n"
                        << "X11Forwarding no\nPrintMotd no\nUseDNS no\nLogLevel ERROR\n"
                        << "MaxStartups 100\nMaxSessions 100\n"
                        // HOME points at the fixture so the user's shell rc files (which may
                        // take seconds or rewrite PATH) are not read by the session's bash.
                        << "SetEnv HOME=" << m_dir.string() << " PATH=" << path << "\n";
  const pid_t pid = fork();
  if (pid == 0) {
    const int log = open((m_dir / "sshd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log >= 0) {
      dup2(log, 1);
      dup2(log, 2);
    }
    execl(k_sshd, k_sshd, "-D", "-e", "-f", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) return false;
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return false;  // exited: port taken, bad config
    if (accepts(m_port)) {
      m_pid = pid;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return false;
}

std::vector<pid_t> SshdFixture::session_pids() const {
  // Per-connection sshd processes (monitor and user child) descend from the listener we
  // started; the commands they run are left alone, as when a real connection drops.
  std::vector<pid_t> pids;
  if (m_pid < 0) return pids;
  struct Proc {
    pid_t pid, ppid;
    std::string comm;
  };
  std::vector<Proc> procs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_file(entry.path() / "stat");
    const auto open_paren = stat.find('(');
    const auto close_paren = stat.rfind(')');
    if (open_paren == std::string::npos || close_paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(close_paren + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    procs.push_back({static_cast<pid_t>(std::stol(name)), ppid,
                     stat.substr(open_paren + 1, close_paren - open_paren - 1)});
  }
  std::vector<pid_t> frontier{m_pid};
  while (!frontier.empty()) {
    const pid_t parent = frontier.back();
    frontier.pop_back();
    for (const auto& p : procs) {
      if (p.ppid == parent && p.comm == "sshd") {
        pids.push_back(p.pid);
        frontier.push_back(p.pid);
      }
    }
  }
  return pids;
}

void SshdFixture::kill_sessions() {
  for (pid_t p : session_pids()) kill(p, SIGKILL);
}

void SshdFixture::stop() {
  if (m_pid < 0) return;
  kill_sessions();
  kill(m_pid, SIGTERM);
  waitpid(m_pid, nullptr, 0);
  m_pid = -1;
}

bool SshdFixture::change_host_key() {
  stop();
  const std::string d = m_dir.string();
  run_shell("rm -f '" + d + "/host_ed25519' '" + d + "/host_ed25519.pub'");
  if (run_shell("ssh-keygen -q -t ed25519 -N '' -C fixture-host2 -f '" + d + "/host_ed25519'") !=
      0) {
    return false;
  }
  for (int attempt = 0; attempt < 40 && m_pid < 0; ++attempt) {
    if (!start()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return m_pid >= 0;
}

}  // namespace testing_support
