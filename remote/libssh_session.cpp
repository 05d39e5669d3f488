// Connection setup for the libssh SshSession: options, strict host key check, key auth,
// TCP keepalive. The exec stream loop is in libssh_exec.cpp.
#include "remote/libssh_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

#include <libssh/libssh.h>

#include "remote/host_key.hpp"

namespace remote {
namespace {

// AES-GCM first: fastest with AES-NI and not affected by Terrapin (docs/transports.md 2.1);
// the rest only so that servers without GCM still connect.
constexpr const char* k_ciphers =
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,"
    "aes256-ctr";

Error make_error(Error::Kind kind, std::string message) {
  Error e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

// libssh 0.10 has no ServerAliveInterval: let the kernel notice a dead peer instead. Keepalive
// probes catch a silent peer while we only read; TCP_USER_TIMEOUT fails the socket when our
// window adjusts stay unacknowledged.
void set_tcp_liveness(ssh_session session, int io_timeout_s) {
  const int fd = ssh_get_fd(session);
  if (fd < 0) return;
  const int on = 1;
  const int idle = std::max(1, io_timeout_s / 4);
  const int interval = std::max(1, io_timeout_s / 8);
  const int count = 4;
  const unsigned user_timeout_ms = static_cast<unsigned>(std::max(1, io_timeout_s)) * 1000U;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

Result<void> set_options(ssh_session s, const SshOptions& o) {
  const int port = o.port;
  const long timeout = std::max(1, o.connect_timeout_s);
  const int nodelay = 1;
  const int strict = 1;
  const bool process_config = false;
  const std::string known_hosts = o.known_hosts.string();
  const bool ok = ssh_options_set(s, SSH_OPTIONS_HOST, o.host.c_str()) == 0 &&
                  ssh_options_set(s, SSH_OPTIONS_PORT, &port) == 0 &&
                  ssh_options_set(s, SSH_OPTIONS_USER, o.user.c_str()) == 0 &&
                  ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config) == 0 &&
                  ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str()) == 0 &&
                  // No system-wide file: only the configured known_hosts may vouch for a host.
                  ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") == 0 &&
                  ssh_options_set(s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict) == 0 &&
                  ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay) == 0 &&
                  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout) == 0 &&
                  ssh_options_set(s, SSH_OPTIONS_CIPHERS_C_S, k_ciphers) == 0 &&
                  ssh_options_set(s, SSH_OPTIONS_CIPHERS_S_C, k_ciphers) == 0;
  if (!ok) {
    return tl::make_unexpected(
        make_error(Error::Kind::connect, std::string("invalid SSH options: ") + ssh_get_error(s)));
  }
  return {};
}

Result<void> authenticate(ssh_session s, const SshOptions& o) {
  ssh_key key = nullptr;
  if (ssh_pki_import_privkey_file(o.identity_file.c_str(), nullptr, nullptr, nullptr, &key) !=
      SSH_OK) {
    return tl::make_unexpected(make_error(
        Error::Kind::auth, "cannot read the SSH identity file " + o.identity_file.string() +
                               " (missing, unreadable, or protected by a passphrase)"));
  }
  const int rc = ssh_userauth_publickey(s, nullptr, key);
  ssh_key_free(key);
  if (rc != SSH_AUTH_SUCCESS) {
    return tl::make_unexpected(
        make_error(Error::Kind::auth, "the server refused key " + o.identity_file.string() +
                                          " for user " + o.user + " (" + ssh_get_error(s) +
                                          "); add its public key to the user's authorized_keys"));
  }
  return {};
}

}  // namespace

LibsshSession::LibsshSession(ssh_session_struct* session, SshOptions options)
    : m_session(session), m_options(std::move(options)) {}

LibsshSession::~LibsshSession() {
  ssh_disconnect(m_session);
  ssh_free(m_session);
}

std::string LibsshSession::describe() const {
  return m_options.user + "@" + m_options.host + ":" + std::to_string(m_options.port);
}

Result<std::unique_ptr<SshSession>> connect_ssh(const SshOptions& options) {
  ssh_session s = ssh_new();
  if (s == nullptr) {
    return tl::make_unexpected(make_error(Error::Kind::connect, "cannot allocate SSH session"));
  }
  // Owns `s` from here on; frees it on every error path.
  auto session = std::make_unique<LibsshSession>(s, options);
  const std::string where = options.user + "@" + options.host + ":" + std::to_string(options.port);
  if (auto r = set_options(s, options); !r) return tl::make_unexpected(r.error());
  if (ssh_connect(s) != SSH_OK) {
    return tl::make_unexpected(
        make_error(Error::Kind::connect, "cannot connect to " + where + ": " + ssh_get_error(s)));
  }
  if (auto r = check_host_key(s, options); !r) return tl::make_unexpected(r.error());
  if (auto r = authenticate(s, options); !r) return tl::make_unexpected(r.error());
  // From now on every blocking wait (channel open, writes) is bounded by the stall limit.
  const long io_timeout = std::max(1, options.io_timeout_s);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &io_timeout);
  set_tcp_liveness(s, options.io_timeout_s);
  return std::unique_ptr<SshSession>(std::move(session));
}

}  // namespace remote
